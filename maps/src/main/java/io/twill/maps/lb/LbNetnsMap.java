package io.twill.maps.lb;

import io.twill.bpf.BpfMap;
import io.twill.bpf.UpdateFlag;
import io.twill.maps.Fields;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.lang.foreign.MemoryLayout;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code twill_lb_netns}: the network namespaces whose sockets this node's socket hooks translate (hash, pinned by
 * name), keyed by the {@code __u64} namespace cookie ({@code SO_NETNS_COOKIE}, {@code bpf_get_netns_cookie}): the
 * node's own namespace and each of its pods'. Namespaces not listed are passed through, so several nodes can share
 * one kernel and one cgroup tree.
 */
public final class LbNetnsMap extends TypedMap<Long, LbNetns> {
    public static final String MAP_NAME = "twill_lb_netns";
    static final Struct<Long> KEY = new Struct<>(
            MemoryLayout.structLayout(JAVA_LONG.withName("cookie")).withName("netns_cookie"),
            s -> Fields.u64(s, 0), (c, s) -> Fields.u64(s, 0, c));
    static final Struct<LbNetns> VALUE = new Struct<>(LbNetns.LAYOUT, LbNetns::read, LbNetns::write);

    private LbNetnsMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static LbNetnsMap of(BpfMap map) {
        return new LbNetnsMap(map);
    }

    /** Opens {@code <pinRoot>/twill_lb_netns}. */
    public static LbNetnsMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new LbNetnsMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Serves the namespace with {@code cookie}. */
    public void put(long cookie, LbNetns netns) {
        update(cookie, netns, UpdateFlag.ANY);
    }

    public Optional<LbNetns> lookup(long cookie) {
        return lookup(Long.valueOf(cookie));
    }

    public boolean delete(long cookie) {
        return delete(Long.valueOf(cookie));
    }

    @Override
    protected void validate(Long cookie, LbNetns v) {
        if (cookie == 0) throw refuse(cookie, "cookie 0 is no namespace (cookies start at 1)");
    }
}
