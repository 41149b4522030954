package io.twill.maps.endpoints;

import io.twill.bpf.BpfMap;
import io.twill.bpf.MapBatch;
import io.twill.bpf.UpdateFlag;
import io.twill.types.Ipv4;
import io.twill.maps.MapEntry;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code twill_endpoints}: the pods of this node by IPv4 address (hash map, pinned by name). The agent writes an
 * entry when a pod's veth is ready and deletes it when the pod goes; bpf_lxc, bpf_overlay and bpf_host read it.
 */
public final class EndpointsMap extends TypedMap<EndpointKey, EndpointInfo> {
    public static final String MAP_NAME = "twill_endpoints";
    static final Struct<EndpointKey> KEY = new Struct<>(EndpointKey.LAYOUT, EndpointKey::read, EndpointKey::write);
    static final Struct<EndpointInfo> VALUE = new Struct<>(EndpointInfo.LAYOUT, EndpointInfo::read, EndpointInfo::write);

    private EndpointsMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    /** Wraps a handle (from a loaded object or a pin); closing this map closes the handle if it owns its descriptor. */
    public static EndpointsMap of(BpfMap map) {
        return new EndpointsMap(map);
    }

    /** Opens {@code <pinRoot>/twill_endpoints}. */
    public static EndpointsMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new EndpointsMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public Optional<EndpointInfo> lookup(Inet4Address addr) {
        return lookup(new EndpointKey(addr));
    }

    /** Creates or replaces the entry of {@code addr}. */
    public void put(Inet4Address addr, EndpointInfo info) {
        update(new EndpointKey(addr), info, UpdateFlag.ANY);
    }

    public boolean delete(Inet4Address addr) {
        return delete(new EndpointKey(addr));
    }

    /**
     * Writes many entries with one {@code BPF_MAP_UPDATE_BATCH} per chunk (restoring a node's endpoints after a
     * restart). Every entry is validated before the first is written.
     */
    public void updateAll(List<MapEntry<EndpointKey, EndpointInfo>> entries, UpdateFlag flag) {
        if (entries.isEmpty()) return;
        for (var e : entries) validate(e.key(), e.value());
        int chunk = Math.min(entries.size(), 256);
        BpfMap map = bpfMap();
        try (MapBatch batch = map.newBatch(chunk)) {
            for (int from = 0; from < entries.size(); from += chunk) {
                int n = Math.min(chunk, entries.size() - from);
                for (int i = 0; i < n; i++) {
                    var e = entries.get(from + i);
                    e.key().write(batch.key(i));
                    e.value().write(batch.value(i));
                }
                map.updateBatch(batch, n, flag);
            }
        }
    }

    /** Null when the datapath can use this entry, else why not. */
    public static String problem(EndpointKey k, EndpointInfo v) {
        if (!Ipv4.isUnicast(k.addr())) return "not a unicast IPv4 address";
        return v.problem();
    }

    @Override
    protected void validate(EndpointKey k, EndpointInfo v) {
        String problem = problem(k, v);
        if (problem != null) throw refuse(k, problem);
    }
}
