package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;
import io.twill.types.Errno;
import io.twill.bpf.internal.Leaks;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.LibbpfStructs;
import io.twill.bpf.internal.Libc;
import io.twill.bpf.internal.Native;
import io.twill.bpf.internal.PrintBridge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A loaded BPF ELF object ({@code struct bpf_object}): its maps and programs, created in the kernel. Loading is all or
 * nothing: on any failure everything made so far is released and a {@link BpfException} (or
 * {@link VerifierException}) says why. {@link #close()} releases the object, its programs and its maps, except those
 * taken with {@link #takeMap}/{@link #takeProgram}, pinned, or held by an attachment.
 */
public final class BpfObject implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BpfObject.class);

    private final String name;
    private final Arena arena;
    private final Map<String, BpfMap> maps;
    private final Map<String, BpfProgram> programs;
    private final Leaks.Token leaks;
    private volatile boolean closed;

    private BpfObject(String name, Arena arena, Map<String, BpfMap> maps, Map<String, BpfProgram> programs) {
        this.name = name;
        this.arena = arena;
        this.maps = maps;
        this.programs = programs;
        this.leaks = Leaks.watch(this, "BpfObject " + name);
    }

    /** Opens, configures and loads {@code spec}. */
    public static BpfObject load(ObjectSpec spec) {
        Libbpf.ensureAvailable();
        Arena arena = Arena.ofShared();
        boolean ok = false;
        try {
            PrintBridge.clear();
            MemorySegment obj = open(spec, arena);
            configure(spec, obj);
            int rc = (int) Libbpf.bpf_object__load.invokeExact(obj);
            if (rc < 0) throw loadFailure(spec, rc);
            BpfObject o = new BpfObject(spec.objectName(), arena, new LinkedHashMap<>(), new LinkedHashMap<>());
            o.collect(obj);
            ok = true;
            log.debug("loaded {} from {}: programs {}, maps {}", o.name, spec.origin(), o.programs.keySet(), o.maps.keySet());
            return o;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        } finally {
            if (!ok) arena.close(); // bpf_object__close via the cleanup below, then the buffers
        }
    }

    private static MemorySegment open(ObjectSpec spec, Arena arena) throws Throwable {
        var l = LibbpfStructs.bpf_object_open_opts;
        MemorySegment opts = arena.allocate(l);
        opts.set(JAVA_LONG, LibbpfStructs.offset(l, "sz"), l.byteSize());
        opts.set(ADDRESS, LibbpfStructs.offset(l, "object_name"), arena.allocateFrom(spec.objectName()));
        spec.pinRoot().ifPresent(root ->
                opts.set(ADDRESS, LibbpfStructs.offset(l, "pin_root_path"), arena.allocateFrom(root.toString())));
        MemorySegment errno = Libbpf.newErrnoSegment(arena);
        MemorySegment raw;
        String op;
        if (spec.file().isPresent()) {
            op = "bpf_object__open_file";
            raw = (MemorySegment) Libbpf.bpf_object__open_file.invokeExact(errno,
                    arena.allocateFrom(spec.file().get().toString()), opts);
        } else {
            op = "bpf_object__open_mem";
            byte[] elf = spec.bytes();
            MemorySegment buf = arena.allocate(Math.max(1, elf.length), 8);
            MemorySegment.copy(MemorySegment.ofArray(elf), 0, buf, 0, elf.length);
            raw = (MemorySegment) Libbpf.bpf_object__open_mem.invokeExact(errno, buf, (long) elf.length, opts);
        }
        if (raw.address() == 0) {
            int e = Libbpf.errno(errno);
            String detail = switch (e) {
                case Errno.ENOENT -> "no such file";
                case Errno.EACCES -> "permission denied reading the file";
                case 4000, 4001, 8, 74, Errno.EINVAL -> "not a valid BPF ELF object (compile with clang -target bpf)";
                default -> null;
            };
            throw Failures.fail(op, spec.origin(), e == 0 ? Errno.EINVAL : e, detail);
        }
        return raw.reinterpret(arena, BpfObject::closeNative);
    }

    private static void configure(ObjectSpec spec, MemorySegment obj) throws Throwable {
        String objName = spec.objectName();
        Rodata.apply(obj, objName, spec.constants());
        try (Arena a = Arena.ofConfined()) {
            for (var e : spec.maxEntries().entrySet()) {
                MemorySegment m = findMap(obj, e.getKey(), a, objName);
                int rc = (int) Libbpf.bpf_map__set_max_entries.invokeExact(m, (int) e.getValue());
                if (rc < 0) throw Failures.fail("bpf_map__set_max_entries", objName + "/" + e.getKey(), rc);
            }
            for (var e : spec.reusedMaps().entrySet()) {
                MemorySegment m = findMap(obj, e.getKey(), a, objName);
                int fd = Pins.open(e.getValue(), "map");
                try {
                    int rc = (int) Libbpf.bpf_map__reuse_fd.invokeExact(m, fd);
                    if (rc < 0) throw Failures.fail("bpf_map__reuse_fd", e.getKey() + " from " + e.getValue(), rc);
                } finally {
                    Libc.closeFd(fd); // libbpf keeps its own duplicate
                }
            }
            for (var e : spec.mapPinPaths().entrySet()) {
                MemorySegment m = findMap(obj, e.getKey(), a, objName);
                int rc = (int) Libbpf.bpf_map__set_pin_path.invokeExact(m, a.allocateFrom(e.getValue().toString()));
                if (rc < 0) throw Failures.fail("bpf_map__set_pin_path", e.getKey() + " at " + e.getValue(), rc);
            }
            fixProgramTypes(obj);
            checkPinRoot(spec, obj);
            PinnedMapFit.check(spec, obj);
        }
    }

    /** libbpf 1.1 does not know the "tcx/…" sections of newer libbpf; such programs are sched_cls. */
    private static void fixProgramTypes(MemorySegment obj) throws Throwable {
        MemorySegment p = MemorySegment.NULL;
        while ((p = (MemorySegment) Libbpf.bpf_object__next_program.invokeExact(obj, p)).address() != 0) {
            String sec = Native.string((MemorySegment) Libbpf.bpf_program__section_name.invokeExact(p));
            int type = (int) Libbpf.bpf_program__type.invokeExact(p);
            if (type == 0 && sec != null && (sec.startsWith("tcx/") || sec.equals("tcx"))) {
                int ignored = (int) Libbpf.bpf_program__set_type.invokeExact(p, BpfProgram.TYPE_SCHED_CLS);
            }
        }
    }

    private static void checkPinRoot(ObjectSpec spec, MemorySegment obj) throws Throwable {
        MemorySegment m = MemorySegment.NULL;
        Map<Path, List<String>> byDir = new LinkedHashMap<>();
        while ((m = (MemorySegment) Libbpf.bpf_object__next_map.invokeExact(obj, m)).address() != 0) {
            String pin = Native.string((MemorySegment) Libbpf.bpf_map__pin_path.invokeExact(m));
            if (pin == null) continue;
            byDir.computeIfAbsent(Path.of(pin).getParent(), d -> new ArrayList<>())
                    .add(Native.string((MemorySegment) Libbpf.bpf_map__name.invokeExact(m)));
        }
        for (var e : byDir.entrySet()) {
            String problem = Pins.bpffsProblem(e.getKey());
            if (problem == null) continue;
            Path dir = e.getKey();
            boolean root = spec.mapPinPaths().values().stream().noneMatch(p -> dir.equals(p.getParent()));
            throw new BpfException("bpf_object__load", spec.objectName(), 0, "maps " + e.getValue() + " are pinned "
                    + (root ? "by name under the pin root " : "in ") + e.getKey()
                    + (root && spec.pinRoot().isEmpty() ? " (libbpf's default; set one with ObjectSpec.withPinRoot)" : "")
                    + ", but " + problem, "");
        }
    }

    private static BpfException loadFailure(ObjectSpec spec, int rc) {
        String logText = PrintBridge.drain();
        int begin = logText.indexOf("-- BEGIN PROG LOAD LOG --");
        if (begin >= 0) {
            int end = logText.indexOf("-- END PROG LOAD LOG --", begin);
            String verifierLog = logText.substring(begin + 25, end > 0 ? end : logText.length()).strip();
            int q = logText.lastIndexOf("prog '", begin);
            String prog = q >= 0 ? logText.substring(q + 6, logText.indexOf('\'', q + 6)) : "?";
            return new VerifierException(spec.objectName(), prog, Math.abs(rc), verifierLog, logText);
        }
        String h = ErrorText.hint(rc);
        return new BpfException("bpf_object__load", spec.objectName() + " (" + spec.origin() + ")", Math.abs(rc), h, logText);
    }

    private static MemorySegment findMap(MemorySegment obj, String map, Arena a, String objName) throws Throwable {
        MemorySegment m = (MemorySegment) Libbpf.bpf_object__find_map_by_name.invokeExact(obj, a.allocateFrom(map));
        if (m.address() == 0) {
            throw new IllegalArgumentException("object " + objName + " has no map '" + map + "'");
        }
        return m;
    }

    private void collect(MemorySegment obj) throws Throwable {
        MemorySegment m = MemorySegment.NULL;
        while ((m = (MemorySegment) Libbpf.bpf_object__next_map.invokeExact(obj, m)).address() != 0) {
            String n = Native.string((MemorySegment) Libbpf.bpf_map__name.invokeExact(m));
            int fd = (int) Libbpf.bpf_map__fd.invokeExact(m);
            if (fd >= 0) maps.put(n, BpfMap.borrowed(this, n, fd));
        }
        MemorySegment p = MemorySegment.NULL;
        while ((p = (MemorySegment) Libbpf.bpf_object__next_program.invokeExact(obj, p)).address() != 0) {
            String n = Native.string((MemorySegment) Libbpf.bpf_program__name.invokeExact(p));
            String sec = Native.string((MemorySegment) Libbpf.bpf_program__section_name.invokeExact(p));
            int fd = (int) Libbpf.bpf_program__fd.invokeExact(p);
            if (fd >= 0) programs.put(n, BpfProgram.borrowed(this, n, sec, fd));
        }
    }

    private static void closeNative(MemorySegment obj) {
        try {
            Libbpf.bpf_object__close.invokeExact(obj);
        } catch (Throwable t) {
            log.error("bpf_object__close failed", t);
        }
    }

    /** The object name (file name without .bpf.o unless set in the spec). */
    public String name() { return name; }

    /** The program called {@code name} (the C function name). */
    public BpfProgram program(String name) {
        ensureOpen();
        BpfProgram p = programs.get(name);
        if (p == null) throw new NoSuchElementException("object " + this.name + " has no program '" + name + "'; it has " + programs.keySet());
        return p;
    }

    public Optional<BpfProgram> findProgram(String name) {
        ensureOpen();
        return Optional.ofNullable(programs.get(name));
    }

    /** The map called {@code name} (internal maps are "objname.rodata" etc.). */
    public BpfMap map(String name) {
        ensureOpen();
        BpfMap m = maps.get(name);
        if (m == null) throw new NoSuchElementException("object " + this.name + " has no map '" + name + "'; it has " + maps.keySet());
        return m;
    }

    public Optional<BpfMap> findMap(String name) {
        ensureOpen();
        return Optional.ofNullable(maps.get(name));
    }

    public List<BpfProgram> programs() { return List.copyOf(programs.values()); }

    public List<BpfMap> maps() { return List.copyOf(maps.values()); }

    /** A handle to map {@code name} with its own descriptor, which stays valid after this object is closed. */
    public BpfMap takeMap(String name) {
        BpfMap m = map(name);
        int fd = Libc.dup(m.fd());
        if (fd < 0) throw Failures.fail("dup", "map " + name, fd);
        return BpfMap.owning(fd, name);
    }

    /** A handle to program {@code name} with its own descriptor, which stays valid after this object is closed. */
    public BpfProgram takeProgram(String name) {
        BpfProgram p = program(name);
        int fd = Libc.dup(p.fd());
        if (fd < 0) throw Failures.fail("dup", "program " + name, fd);
        return BpfProgram.owning(name, p.sectionName(), fd);
    }

    boolean isOpen() { return !closed; }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("BpfObject " + name + " is closed");
    }

    /** Releases the object (idempotent). Maps and programs viewed through it become unusable. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        leaks.closed();
        arena.close();
    }

    @Override
    public String toString() {
        return "BpfObject " + name + " (programs " + programs.keySet() + ", maps " + maps.keySet() + ")";
    }
}
