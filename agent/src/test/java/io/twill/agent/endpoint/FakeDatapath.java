package io.twill.agent.endpoint;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link DatapathWriter} over in-memory "map" and "attachments" that records calls and fails on request. */
public final class FakeDatapath implements DatapathWriter {
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    public final Map<Inet4Address, Entry> map = new ConcurrentHashMap<>();
    /** Devices with bpf_lxc attached (name -> ifindex), and their pins. */
    public final Map<String, Integer> attached = new ConcurrentHashMap<>();
    public final Set<String> pins = ConcurrentHashMap.newKeySet();
    public final Set<String> failOn = ConcurrentHashMap.newKeySet();

    private void maybeFail(String op) {
        if (failOn.remove(op)) throw new IllegalStateException(op + ": injected failure");
    }

    @Override
    public void attach(String hostIfname, int hostIfindex) {
        calls.add("attach " + hostIfname + " " + hostIfindex);
        maybeFail("attach");
        attached.put(hostIfname, hostIfindex);
        pins.add(hostIfname);
    }

    @Override
    public void detach(String hostIfname, int hostIfindex) {
        calls.add("detach " + hostIfname);
        maybeFail("detach");
        attached.remove(hostIfname);
        pins.remove(hostIfname);
    }

    @Override
    public void putEndpoint(Endpoint ep) {
        calls.add("putEndpoint " + ep.ip().getHostAddress());
        maybeFail("putEndpoint");
        map.put(ep.ip(), new Entry(ep.hostIfindex(), ep.id(), 0));
    }

    @Override
    public boolean removeEndpoint(Inet4Address ip) {
        calls.add("removeEndpoint " + ip.getHostAddress());
        maybeFail("removeEndpoint");
        return map.remove(ip) != null;
    }

    @Override
    public Optional<Entry> endpoint(Inet4Address ip) {
        return Optional.ofNullable(map.get(ip));
    }

    @Override
    public Map<Inet4Address, Entry> endpoints() {
        return Map.copyOf(map);
    }

    @Override
    public List<String> verify(Endpoint ep) {
        List<String> p = new ArrayList<>();
        if (!attached.containsKey(ep.hostIfname())) p.add("bpf_lxc is not attached to " + ep.hostIfname());
        Entry e = map.get(ep.ip());
        if (e == null) p.add("twill_endpoints has no entry for " + ep.ip().getHostAddress());
        else if (e.ifindex() != ep.hostIfindex()) p.add("twill_endpoints entry points at ifindex " + e.ifindex());
        return p;
    }

    @Override
    public List<String> removeStaleAttachments(java.util.Collection<Endpoint> live) {
        Set<String> liveDevices = new java.util.HashSet<>();
        live.forEach(e -> liveDevices.add(e.hostIfname()));
        List<String> stale = pins.stream().filter(p -> !liveDevices.contains(p)).sorted().toList();
        stale.forEach(pins::remove);
        return stale;
    }
}
