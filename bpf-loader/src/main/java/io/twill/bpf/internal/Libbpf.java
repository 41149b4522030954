package io.twill.bpf.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Raw downcalls into the system libbpf ({@code libbpf.so.1}, >= 1.1), one static {@link MethodHandle} per C function,
 * named after it, in the shape jextract would give. Nothing here checks results: callers turn return codes into
 * exceptions. Handles marked "[errno]" return NULL on failure and take a leading capture segment
 * ({@link #newErrnoSegment}) that holds the errno of that very call.
 *
 * <p>Loading is gated as in netty's native transports: if the library or one symbol is missing, or the version is
 * older than 1.1, {@link #isAvailable()} is false and {@link #unavailabilityCause()} says why; each handle then throws.
 */
public final class Libbpf {
    private Libbpf() {}

    public static final int MIN_MAJOR = 1, MIN_MINOR = 1;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle CAPTURED_ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final List<String> MISSING = new ArrayList<>();
    private static final List<Downcall> DOWNCALLS = new ArrayList<>();
    private static final Throwable LOAD_FAILURE;
    private static final SymbolLookup LIB;

    static {
        SymbolLookup lib = null;
        Throwable failure = null;
        try {
            lib = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());
        } catch (Throwable t) {
            failure = t;
        }
        LIB = lib;
        LOAD_FAILURE = failure;
    }

    // ---- library ----
    public static final MethodHandle libbpf_major_version = fn("libbpf_major_version", FunctionDescriptor.of(JAVA_INT));
    public static final MethodHandle libbpf_minor_version = fn("libbpf_minor_version", FunctionDescriptor.of(JAVA_INT));
    public static final MethodHandle libbpf_version_string = fn("libbpf_version_string", FunctionDescriptor.of(ADDRESS));
    /** {@code libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn)} */
    public static final MethodHandle libbpf_set_print = fn("libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
    public static final MethodHandle libbpf_strerror = fn("libbpf_strerror", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
    public static final MethodHandle libbpf_num_possible_cpus = fn("libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
    public static final MethodHandle libbpf_bpf_prog_type_str = fn("libbpf_bpf_prog_type_str", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    public static final MethodHandle libbpf_bpf_map_type_str = fn("libbpf_bpf_map_type_str", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    public static final MethodHandle libbpf_bpf_attach_type_str = fn("libbpf_bpf_attach_type_str", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    public static final MethodHandle libbpf_bpf_link_type_str = fn("libbpf_bpf_link_type_str", FunctionDescriptor.of(ADDRESS, JAVA_INT));

    // ---- bpf_object ----
    /** [errno] {@code struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts)} */
    public static final MethodHandle bpf_object__open_file = fn("bpf_object__open_file", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), ERRNO);
    /** [errno] {@code struct bpf_object *bpf_object__open_mem(const void *buf, size_t sz, const struct bpf_object_open_opts *opts)} */
    public static final MethodHandle bpf_object__open_mem = fn("bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), ERRNO);
    public static final MethodHandle bpf_object__load = fn("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_object__close = fn("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
    public static final MethodHandle bpf_object__name = fn("bpf_object__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    public static final MethodHandle bpf_object__btf = fn("bpf_object__btf", FunctionDescriptor.of(ADDRESS, ADDRESS));
    public static final MethodHandle bpf_object__find_program_by_name = fn("bpf_object__find_program_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_object__find_map_by_name = fn("bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_object__next_program = fn("bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_object__next_map = fn("bpf_object__next_map", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    // ---- bpf_program ----
    public static final MethodHandle bpf_program__name = fn("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    public static final MethodHandle bpf_program__section_name = fn("bpf_program__section_name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    public static final MethodHandle bpf_program__fd = fn("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_program__type = fn("bpf_program__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_program__set_type = fn("bpf_program__set_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    public static final MethodHandle bpf_program__set_autoload = fn("bpf_program__set_autoload", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));

    // ---- bpf_map (object side) ----
    public static final MethodHandle bpf_map__name = fn("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
    public static final MethodHandle bpf_map__fd = fn("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_map__type = fn("bpf_map__type", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_map__key_size = fn("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_map__value_size = fn("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_map__max_entries = fn("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_map__set_max_entries = fn("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    public static final MethodHandle bpf_map__map_flags = fn("bpf_map__map_flags", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_map__is_internal = fn("bpf_map__is_internal", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    public static final MethodHandle bpf_map__set_pin_path = fn("bpf_map__set_pin_path", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_map__pin_path = fn("bpf_map__pin_path", FunctionDescriptor.of(ADDRESS, ADDRESS));
    public static final MethodHandle bpf_map__is_pinned = fn("bpf_map__is_pinned", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
    public static final MethodHandle bpf_map__pin = fn("bpf_map__pin", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_map__unpin = fn("bpf_map__unpin", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_map__reuse_fd = fn("bpf_map__reuse_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code const void *bpf_map__initial_value(struct bpf_map *map, size_t *psize)} */
    public static final MethodHandle bpf_map__initial_value = fn("bpf_map__initial_value", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_map__set_initial_value = fn("bpf_map__set_initial_value", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));

    // ---- BTF ----
    /** [errno] {@code struct btf *btf__parse(const char *path, struct btf_ext **btf_ext)} */
    public static final MethodHandle btf__parse = fn("btf__parse", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), ERRNO);
    public static final MethodHandle btf__free = fn("btf__free", FunctionDescriptor.ofVoid(ADDRESS));
    public static final MethodHandle btf__type_cnt = fn("btf__type_cnt", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle btf__find_by_name_kind = fn("btf__find_by_name_kind", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    /** {@code const struct btf_type *btf__type_by_id(const struct btf *btf, __u32 id)} */
    public static final MethodHandle btf__type_by_id = fn("btf__type_by_id", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    public static final MethodHandle btf__name_by_offset = fn("btf__name_by_offset", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
    public static final MethodHandle btf__resolve_size = fn("btf__resolve_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));

    // ---- low-level bpf(2) wrappers: return -errno on failure ----
    public static final MethodHandle bpf_obj_get = fn("bpf_obj_get", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_obj_pin = fn("bpf_obj_pin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_obj_get_info_by_fd = fn("bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_map_lookup_elem = fn("bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_map_update_elem = fn("bpf_map_update_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    public static final MethodHandle bpf_map_delete_elem = fn("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_map_get_next_key = fn("bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    /** {@code int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values, __u32 *count, const struct bpf_map_batch_opts *opts)} */
    public static final MethodHandle bpf_map_lookup_batch = fn("bpf_map_lookup_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    /** {@code int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count, const struct bpf_map_batch_opts *opts)} */
    public static final MethodHandle bpf_map_update_batch = fn("bpf_map_update_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    /** {@code int bpf_map_delete_batch(int fd, const void *keys, __u32 *count, const struct bpf_map_batch_opts *opts)} */
    public static final MethodHandle bpf_map_delete_batch = fn("bpf_map_delete_batch", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_prog_test_run_opts = fn("bpf_prog_test_run_opts", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    /** {@code int bpf_prog_load(enum bpf_prog_type, const char *name, const char *license, const struct bpf_insn *insns, size_t insn_cnt, struct bpf_prog_load_opts *opts)} */
    public static final MethodHandle bpf_prog_load = fn("bpf_prog_load", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    public static final MethodHandle bpf_prog_get_fd_by_id = fn("bpf_prog_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    public static final MethodHandle bpf_map_get_fd_by_id = fn("bpf_map_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    public static final MethodHandle bpf_link_create = fn("bpf_link_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_link_update = fn("bpf_link_update", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_link_detach = fn("bpf_link_detach", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    // ---- TC (netlink, cls_bpf) ----
    public static final MethodHandle bpf_tc_hook_create = fn("bpf_tc_hook_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_tc_hook_destroy = fn("bpf_tc_hook_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle bpf_tc_attach = fn("bpf_tc_attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_tc_detach = fn("bpf_tc_detach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    public static final MethodHandle bpf_tc_query = fn("bpf_tc_query", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    // ---- ring buffer ----
    /** [errno] {@code struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn cb, void *ctx, const struct ring_buffer_opts *opts)} */
    public static final MethodHandle ring_buffer__new = fn("ring_buffer__new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), ERRNO);
    public static final MethodHandle ring_buffer__poll = fn("ring_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    public static final MethodHandle ring_buffer__consume = fn("ring_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle ring_buffer__epoll_fd = fn("ring_buffer__epoll_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    public static final MethodHandle ring_buffer__free = fn("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));
    /** {@code int (*ring_buffer_sample_fn)(void *ctx, void *data, size_t size)} */
    public static final FunctionDescriptor RING_BUFFER_SAMPLE_FN = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
    /** {@code int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char *fmt, va_list ap)} */
    public static final FunctionDescriptor PRINT_FN = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);

    private static final String UNAVAILABLE = computeUnavailability();

    static {
        if (UNAVAILABLE == null) PrintBridge.install();
    }

    /** True when libbpf.so.1 >= 1.1 was found with every symbol these bindings use. */
    public static boolean isAvailable() {
        return UNAVAILABLE == null;
    }

    /** Why libbpf cannot be used, or null when it can. */
    public static String unavailabilityCause() {
        return UNAVAILABLE;
    }

    /** Throws {@link IllegalStateException} naming the cause when libbpf cannot be used. */
    public static void ensureAvailable() {
        if (UNAVAILABLE != null) throw new IllegalStateException(UNAVAILABLE);
    }

    /** A capture segment for "[errno]" handles, allocated in {@code arena}. */
    public static MemorySegment newErrnoSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** The errno a "[errno]" call stored into its capture segment. */
    public static int errno(MemorySegment capture) {
        return (int) CAPTURED_ERRNO.get(capture, 0L);
    }

    /** "1.1.2" (from {@code libbpf_version_string}), or "unavailable". */
    public static String version() {
        if (!isAvailable()) return "unavailable";
        try {
            return Native.string((MemorySegment) libbpf_version_string.invokeExact());
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    private static String computeUnavailability() {
        if (LOAD_FAILURE != null) {
            return "libbpf.so.1 cannot be loaded (" + LOAD_FAILURE.getMessage()
                    + "); install it (Debian: apt-get install libbpf1 libbpf-dev)";
        }
        if (!MISSING.isEmpty()) return "libbpf.so.1 lacks symbols " + MISSING + "; twill needs libbpf >= 1.1";
        try {
            int major = (int) libbpf_major_version.invokeExact();
            int minor = (int) libbpf_minor_version.invokeExact();
            if (major < MIN_MAJOR || (major == MIN_MAJOR && minor < MIN_MINOR)) {
                return "libbpf " + major + "." + minor + " is too old; twill needs >= " + MIN_MAJOR + "." + MIN_MINOR;
            }
            return null;
        } catch (Throwable t) {
            return "libbpf version check failed: " + t;
        }
    }

    /** Every function bound here, with its descriptor, for the proof against libbpf's headers. */
    public static List<Downcall> downcalls() {
        return List.copyOf(DOWNCALLS);
    }

    private static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... options) {
        DOWNCALLS.add(new Downcall(name, fd, -1));
        MethodType type = fd.toMethodType();
        if (options.length > 0) type = type.insertParameterTypes(0, MemorySegment.class); // the errno capture segment
        if (LIB == null) return failing(type, "libbpf.so.1 cannot be loaded: " + LOAD_FAILURE);
        var symbol = LIB.find(name);
        if (symbol.isEmpty()) {
            MISSING.add(name);
            return failing(type, "libbpf.so.1 has no symbol " + name);
        }
        return LINKER.downcallHandle(symbol.get(), fd, options);
    }

    private static MethodHandle failing(MethodType type, String why) {
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), IllegalStateException.class)
                .bindTo(new IllegalStateException(why));
        return MethodHandles.dropArguments(thrower, 0, type.parameterList());
    }
}
