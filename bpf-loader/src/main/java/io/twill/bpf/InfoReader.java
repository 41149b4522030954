package io.twill.bpf;

import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.LibbpfStructs;
import io.twill.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code bpf_obj_get_info_by_fd} into a zeroed struct of the given layout. */
final class InfoReader {
    private InfoReader() {}

    /** Fills a new segment of {@code layout} in {@code arena}; throws a BpfException naming {@code what} on failure. */
    public static MemorySegment read(Arena arena, int fd, StructLayout layout, String what) {
        MemorySegment info = arena.allocate(layout);
        MemorySegment len = arena.allocate(JAVA_INT);
        len.set(JAVA_INT, 0, (int) layout.byteSize());
        int rc;
        try {
            rc = (int) Libbpf.bpf_obj_get_info_by_fd.invokeExact(fd, info, len);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc < 0) throw Failures.fail("bpf_obj_get_info_by_fd", what, rc);
        return info;
    }

    public static int i32(MemorySegment info, StructLayout layout, String field) {
        return info.get(JAVA_INT, LibbpfStructs.offset(layout, field));
    }

    /** A fixed-size {@code char name[16]} member. */
    public static String name(MemorySegment info, StructLayout layout, String field) {
        return info.asSlice(LibbpfStructs.offset(layout, field), 16).getString(0);
    }
}
