package io.twill.agent.ipam;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** An in-memory {@link IpamStore} for tests; can be told to fail its next save or remove. */
public final class MemoryIpamStore implements IpamStore {
    public final Map<Inet4Address, IpAllocation> records = new ConcurrentHashMap<>();
    public final List<Inet4Address> unreadable = new ArrayList<>();
    public final AtomicBoolean failSave = new AtomicBoolean();
    public final AtomicBoolean failRemove = new AtomicBoolean();

    @Override
    public Loaded load() {
        return new Loaded(List.copyOf(records.values()), unreadable, List.of());
    }

    @Override
    public void save(IpAllocation a) {
        if (failSave.getAndSet(false)) throw new IpamException("disk full (test)");
        records.put(a.ip(), a);
    }

    @Override
    public boolean remove(Inet4Address ip) {
        if (failRemove.getAndSet(false)) throw new IpamException("I/O error (test)");
        return records.remove(ip) != null;
    }
}
