package io.twill.agent.k8s;


import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory tunnel table / route table that records operations and can be told to fail. Thread-safe. */
final class FakeTable implements TunnelTable, NativeRoutes {
    private final String name;
    private final Map<Ipv4Prefix, Inet4Address> entries = new TreeMap<>();
    private final List<String> ops = new ArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();

    FakeTable(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void put(Ipv4Prefix cidr, Inet4Address nodeIp) {
        maybeFail("put " + cidr);
        ops.add("put " + cidr + " " + nodeIp.getHostAddress());
        entries.put(cidr, nodeIp);
    }

    @Override
    public synchronized boolean remove(Ipv4Prefix cidr) {
        maybeFail("remove " + cidr);
        ops.add("remove " + cidr);
        return entries.remove(cidr) != null;
    }

    @Override
    public synchronized Map<Ipv4Prefix, Inet4Address> entries() {
        maybeFail("entries");
        return new TreeMap<>(entries);
    }

    /** The table as "cidr -> ip" strings, sorted, without counting as an operation or failing. */
    synchronized Map<String, String> snapshot() {
        Map<String, String> m = new TreeMap<>();
        entries.forEach((k, v) -> m.put(k.toString(), v.getHostAddress()));
        return m;
    }

    /** Writes an entry behind the watcher's back (drift, or a leftover from a previous run). */
    synchronized void inject(String cidr, String ip) {
        entries.put(Ipv4Prefix.parse(cidr), Ipv4.parse(ip));
    }

    synchronized List<String> ops() {
        return List.copyOf(ops);
    }

    synchronized void clearOps() {
        ops.clear();
    }

    /** The next {@code n} operations throw. */
    void failNext(int n) {
        failures.set(n);
    }

    private void maybeFail(String op) {
        if (failures.getAndUpdate(f -> f > 0 ? f - 1 : 0) > 0) {
            throw new IllegalStateException("injected failure: " + name + " " + op + ": EBUSY (Device or resource busy)");
        }
    }
}
