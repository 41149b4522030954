package io.twill.bpf;

import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.Native;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Before loading: each map that will be pinned where a map is already pinned (an earlier run) must fit that pin, or
 * libbpf refuses the load with a bare "parameter mismatch". A resizable map ({@link ObjectSpec#withResizablePins})
 * that does not fit has its old pin removed, so libbpf creates and pins a fresh map; any other misfit is an error
 * naming the map and what differs.
 */
final class PinnedMapFit {
    private static final Logger log = LoggerFactory.getLogger(PinnedMapFit.class);

    private PinnedMapFit() {}

    static void check(ObjectSpec spec, MemorySegment obj) throws Throwable {
        MemorySegment m = MemorySegment.NULL;
        while ((m = (MemorySegment) Libbpf.bpf_object__next_map.invokeExact(obj, m)).address() != 0) {
            String pin = Native.string((MemorySegment) Libbpf.bpf_map__pin_path.invokeExact(m));
            if (pin == null || !Files.exists(Path.of(pin))) continue;
            String name = Native.string((MemorySegment) Libbpf.bpf_map__name.invokeExact(m));
            List<String> diffs;
            try (BpfMap pinned = BpfMap.openPinned(Path.of(pin))) {
                diffs = differences(pinned, (int) Libbpf.bpf_map__type.invokeExact(m),
                        (int) Libbpf.bpf_map__key_size.invokeExact(m), (int) Libbpf.bpf_map__value_size.invokeExact(m),
                        (int) Libbpf.bpf_map__max_entries.invokeExact(m), (int) Libbpf.bpf_map__map_flags.invokeExact(m));
            }
            if (diffs.isEmpty()) continue;
            if (spec.resizablePins().contains(name)) {
                Pins.unpin(Path.of(pin), "map " + name);
                log.warn("map {}: the map pinned at {} has {}; unpinned it, a fresh map replaces it and its contents "
                        + "start over (for twill_ct: tracked connections are forgotten)", name, pin, String.join(", ", diffs));
                continue;
            }
            throw new BpfException("bpf_object__load", spec.objectName() + "/" + name, 0, "the map pinned at " + pin
                    + " has " + String.join(", ", diffs) + "; remove the pin (losing its contents) or load with "
                    + "the pinned map's parameters", "");
        }
    }

    /** What differs between the pinned map and the one the object asks for, e.g. "max_entries 1024 (asked 2048)". */
    static List<String> differences(BpfMap pinned, int type, int keySize, int valueSize, int maxEntries, int flags) {
        List<String> d = new ArrayList<>();
        if (pinned.type() != type) d.add("type " + pinned.typeName() + " (asked " + TypeNames.map(type) + ")");
        if (pinned.keySize() != keySize) d.add("key size " + pinned.keySize() + " (asked " + keySize + ")");
        if (pinned.valueSize() != valueSize) d.add("value size " + pinned.valueSize() + " (asked " + valueSize + ")");
        if (pinned.maxEntries() != maxEntries) d.add("max_entries " + pinned.maxEntries() + " (asked " + maxEntries + ")");
        if (pinned.flags() != flags) {
            d.add("flags 0x" + Integer.toHexString(pinned.flags()) + " (asked 0x" + Integer.toHexString(flags) + ")");
        }
        return d;
    }
}
