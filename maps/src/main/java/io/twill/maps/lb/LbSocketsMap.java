package io.twill.maps.lb;

import io.twill.bpf.BpfMap;
import io.twill.maps.MapScan;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.nio.file.Path;
import java.util.function.BiPredicate;

/**
 * {@code twill_lb_sockets}: (socket cookie, backend) to the frontend the socket asked for (LRU hash, pinned by name).
 * Written by bpf_sock's connect4/sendmsg4, read by recvmsg4/getpeername4; entries of closed sockets age out of the LRU.
 */
public final class LbSocketsMap extends TypedMap<LbSockKey, LbSock> {
    public static final String MAP_NAME = "twill_lb_sockets";
    static final Struct<LbSockKey> KEY = new Struct<>(LbSockKey.LAYOUT, LbSockKey::read, LbSockKey::write);
    static final Struct<LbSock> VALUE = new Struct<>(LbSock.LAYOUT, LbSock::read, LbSock::write);

    private LbSocketsMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static LbSocketsMap of(BpfMap map) {
        return new LbSocketsMap(map);
    }

    /** Opens {@code <pinRoot>/twill_lb_sockets}. */
    public static LbSocketsMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new LbSocketsMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Deletes the entries matching {@code p}; returns how many. */
    public int purge(BiPredicate<LbSockKey, LbSock> p) {
        return MapScan.deleteWhere(this, KEY, VALUE, p, MapScan.Mode.AUTO);
    }

    @Override
    protected void validate(LbSockKey k, LbSock v) {
        if (k.cookie() == 0) throw refuse(k, "socket cookie 0");
        if (v.port() == 0) throw refuse(k, "frontend port 0");
    }
}
