package io.twill.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to load, before anything touches the kernel: the ELF object (a file, bytes, or a classpath resource such as
 * {@code /io/twill/bpf/bpf_lxc.bpf.o}), its name, the pin root for maps declared with
 * {@code __uint(pinning, LIBBPF_PIN_BY_NAME)}, values for {@code const volatile} globals in {@code .rodata},
 * map sizes, and maps to reuse from pins. Immutable; every {@code with…} returns a copy. {@link #load()} does the work.
 */
public final class ObjectSpec {
    private final Path file;
    private final byte[] bytes;
    private final String origin;
    private final String objectName;
    private final Path pinRoot;
    private final Map<String, byte[]> constants;
    private final Map<String, Integer> maxEntries;
    private final Map<String, Path> reusedMaps;
    private final Map<String, Path> pinPaths;
    private final Set<String> resizablePins;

    private ObjectSpec(Path file, byte[] bytes, String origin, String objectName, Path pinRoot,
                       Map<String, byte[]> constants, Map<String, Integer> maxEntries, Map<String, Path> reusedMaps) {
        this(file, bytes, origin, objectName, pinRoot, constants, maxEntries, reusedMaps, Map.of(), Set.of());
    }

    private ObjectSpec(Path file, byte[] bytes, String origin, String objectName, Path pinRoot,
                       Map<String, byte[]> constants, Map<String, Integer> maxEntries, Map<String, Path> reusedMaps,
                       Map<String, Path> pinPaths, Set<String> resizablePins) {
        this.file = file;
        this.bytes = bytes;
        this.origin = origin;
        this.objectName = objectName;
        this.pinRoot = pinRoot;
        this.constants = Collections.unmodifiableMap(constants);
        this.maxEntries = Collections.unmodifiableMap(maxEntries);
        this.reusedMaps = Collections.unmodifiableMap(reusedMaps);
        this.pinPaths = Collections.unmodifiableMap(new LinkedHashMap<>(pinPaths));
        this.resizablePins = Set.copyOf(resizablePins);
    }

    /** An object file on disk (read by libbpf at load time). */
    public static ObjectSpec fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        return new ObjectSpec(file, null, file.toString(), baseName(file.getFileName().toString()), null,
                new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** An object held in memory; {@code name} names it in errors and becomes the object name. */
    public static ObjectSpec fromBytes(String name, byte[] elf) {
        Objects.requireNonNull(elf, "elf");
        if (name == null || name.isBlank()) throw new IllegalArgumentException("an in-memory object needs a name");
        return new ObjectSpec(null, elf.clone(), name, baseName(name), null,
                new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** A classpath resource, e.g. {@code /io/twill/bpf/bpf_lxc.bpf.o}, read now. */
    public static ObjectSpec fromResource(String resource) {
        return fromResource(ObjectSpec.class, resource);
    }

    /**
     * A classpath resource resolved against {@code anchor}'s class loader (not the class: a class in a named module
     * finds only its own module's resources, and the objects live in the twill-bpf-src jar).
     */
    public static ObjectSpec fromResource(Class<?> anchor, String resource) {
        String abs = resource.startsWith("/") ? resource : "/" + resource;
        ClassLoader loader = anchor.getClassLoader() != null ? anchor.getClassLoader() : ClassLoader.getSystemClassLoader();
        try (InputStream in = loader.getResourceAsStream(abs.substring(1))) {
            if (in == null) {
                throw new IllegalArgumentException("no classpath resource " + abs
                        + " (is the twill-bpf-src jar on the classpath, and was it built with clang?)");
            }
            String simple = abs.substring(abs.lastIndexOf('/') + 1);
            return new ObjectSpec(null, in.readAllBytes(), "resource " + abs, baseName(simple), null,
                    new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath resource " + abs, e);
        }
    }

    /** The object name libbpf uses (prefix of internal map names such as {@code name.rodata}). */
    public ObjectSpec withObjectName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("object name must not be blank");
        return new ObjectSpec(file, bytes, origin, name, pinRoot, new LinkedHashMap<>(constants),
                new LinkedHashMap<>(maxEntries), new LinkedHashMap<>(reusedMaps), pinPaths, resizablePins);
    }

    /**
     * Directory (on a bpffs) where maps declared {@code LIBBPF_PIN_BY_NAME} are pinned as {@code <root>/<map name>};
     * an existing compatible pin is reused, so a restarted agent gets the same maps. Without it libbpf uses
     * /sys/fs/bpf.
     */
    public ObjectSpec withPinRoot(Path root) {
        Objects.requireNonNull(root, "root");
        return new ObjectSpec(file, bytes, origin, objectName, root, new LinkedHashMap<>(constants),
                new LinkedHashMap<>(maxEntries), new LinkedHashMap<>(reusedMaps), pinPaths, resizablePins);
    }

    /** Sets the {@code const volatile} global {@code name} (in .rodata) to these bytes, which must match its size. */
    public ObjectSpec withConstant(String name, byte[] value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        var c = new LinkedHashMap<>(constants);
        c.put(name, value.clone());
        return new ObjectSpec(file, bytes, origin, objectName, pinRoot, c, new LinkedHashMap<>(maxEntries),
                new LinkedHashMap<>(reusedMaps), pinPaths, resizablePins);
    }

    /** A 4-byte {@code const volatile __u32/__s32} global, in host byte order. */
    public ObjectSpec withConstant(String name, int value) {
        return withConstant(name, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** An 8-byte {@code const volatile __u64/__s64} global, in host byte order. */
    public ObjectSpec withConstant(String name, long value) {
        return withConstant(name, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array());
    }

    /** A 1-byte {@code const volatile bool/__u8} global. */
    public ObjectSpec withConstant(String name, boolean value) {
        return withConstant(name, new byte[]{(byte) (value ? 1 : 0)});
    }

    /** Overrides {@code max_entries} of map {@code map} before it is created. */
    public ObjectSpec withMaxEntries(String map, int entries) {
        if (entries <= 0) throw new IllegalArgumentException("max_entries of " + map + " must be positive, got " + entries);
        var m = new LinkedHashMap<>(maxEntries);
        m.put(map, entries);
        return new ObjectSpec(file, bytes, origin, objectName, pinRoot, new LinkedHashMap<>(constants), m,
                new LinkedHashMap<>(reusedMaps), pinPaths, resizablePins);
    }

    /** Uses the map pinned at {@code pin} for map {@code map} instead of creating one ({@code bpf_map__reuse_fd}). */
    public ObjectSpec withReusedMap(String map, Path pin) {
        Objects.requireNonNull(pin, "pin");
        var r = new LinkedHashMap<>(reusedMaps);
        r.put(map, pin);
        return new ObjectSpec(file, bytes, origin, objectName, pinRoot, new LinkedHashMap<>(constants),
                new LinkedHashMap<>(maxEntries), r, pinPaths, resizablePins);
    }

    /**
     * Pins map {@code map} at {@code pin} ({@code bpf_map__set_pin_path}): at load an existing compatible pin there is
     * reused, else the new map is pinned there. Works for maps declared without {@code pinning} too.
     */
    public ObjectSpec withMapPinPath(String map, Path pin) {
        Objects.requireNonNull(pin, "pin");
        var p = new LinkedHashMap<>(pinPaths);
        p.put(map, pin);
        return new ObjectSpec(file, bytes, origin, objectName, pinRoot, new LinkedHashMap<>(constants),
                new LinkedHashMap<>(maxEntries), new LinkedHashMap<>(reusedMaps), p, resizablePins);
    }

    /**
     * Maps (by name) whose pin may be replaced when it does not fit: a map pinned by an earlier run whose type, key
     * or value size, max_entries or flags differ from this object's (after {@link #withMaxEntries}) is unpinned
     * and created afresh, losing its contents (for connection tracking: tracked connections start over), and the
     * replacement is logged. A misfit pin of any other map fails the load with a message naming the map and both
     * values, instead of libbpf's "parameter mismatch".
     */
    public ObjectSpec withResizablePins(Set<String> maps) {
        Objects.requireNonNull(maps, "maps");
        return new ObjectSpec(file, bytes, origin, objectName, pinRoot, new LinkedHashMap<>(constants),
                new LinkedHashMap<>(maxEntries), new LinkedHashMap<>(reusedMaps), pinPaths, maps);
    }

    /** Opens, configures and loads the object: all or nothing. */
    public BpfObject load() {
        return BpfObject.load(this);
    }

    /** Where the object comes from, for messages. */
    public String origin() { return origin; }

    public String objectName() { return objectName; }

    public Optional<Path> pinRoot() { return Optional.ofNullable(pinRoot); }

    public Map<String, byte[]> constants() { return constants; }

    public Map<String, Integer> maxEntries() { return maxEntries; }

    public Map<String, Path> reusedMaps() { return reusedMaps; }

    public Map<String, Path> mapPinPaths() { return pinPaths; }

    public Set<String> resizablePins() { return resizablePins; }

    Optional<Path> file() { return Optional.ofNullable(file); }

    byte[] bytes() { return bytes; }

    private static String baseName(String fileName) {
        String n = fileName.substring(fileName.lastIndexOf('/') + 1);
        if (n.endsWith(".bpf.o")) return n.substring(0, n.length() - 6);
        if (n.endsWith(".o")) return n.substring(0, n.length() - 2);
        return n;
    }

    @Override
    public String toString() {
        return "ObjectSpec[" + origin + (pinRoot != null ? ", pin root " + pinRoot : "")
                + (constants.isEmpty() ? "" : ", constants " + constants.keySet()) + "]";
    }
}
