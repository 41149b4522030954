package io.twill.agent.endpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link EndpointNetwork} that keeps a model of the kernel objects it "made", records every call and fails on
 * request: {@code failOn.add("configurePod")} makes the next configurePod throw.
 */
public final class FakeNetwork implements EndpointNetwork {
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** Host-side devices: name -> ifindex. */
    public final Map<String, Integer> devices = new ConcurrentHashMap<>();
    public final Set<String> podConfigured = ConcurrentHashMap.newKeySet();
    public final Set<String> hostConfigured = ConcurrentHashMap.newKeySet();
    /** Pod interfaces that already exist (netns:ifname), to provoke a name clash. */
    public final Set<String> podNamesTaken = ConcurrentHashMap.newKeySet();
    public final Set<String> failOn = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextIfindex = new AtomicInteger(100);

    private void maybeFail(String op) {
        if (failOn.remove(op)) throw new IllegalStateException(op + ": injected failure");
    }

    @Override
    public Veth createVeth(VethPlan ep) {
        calls.add("createVeth " + ep.hostIfname());
        maybeFail("createVeth");
        if (podNamesTaken.contains(ep.netns() + ":" + ep.key().ifname())) {
            throw new InterfaceNameTakenException("interface " + ep.key().ifname() + " already exists in " + ep.netns(), true, null);
        }
        if (devices.containsKey(ep.hostIfname())) {
            throw new InterfaceNameTakenException("device " + ep.hostIfname() + " already exists", false, null);
        }
        int idx = nextIfindex.getAndIncrement();
        devices.put(ep.hostIfname(), idx);
        return new Veth(idx, 2);
    }

    @Override
    public void configurePod(Endpoint ep) {
        calls.add("configurePod " + ep.hostIfname());
        maybeFail("configurePod");
        podConfigured.add(ep.hostIfname());
    }

    @Override
    public void configureHost(Endpoint ep) {
        calls.add("configureHost " + ep.hostIfname());
        maybeFail("configureHost");
        hostConfigured.add(ep.hostIfname());
    }

    @Override
    public boolean deleteVeth(String hostIfname) {
        calls.add("deleteVeth " + hostIfname);
        maybeFail("deleteVeth");
        podConfigured.remove(hostIfname);
        hostConfigured.remove(hostIfname);
        return devices.remove(hostIfname) != null;
    }

    @Override
    public List<String> verify(Endpoint ep) {
        List<String> p = new ArrayList<>();
        if (!devices.containsKey(ep.hostIfname())) p.add("device " + ep.hostIfname() + " is missing");
        if (!podConfigured.contains(ep.hostIfname())) p.add("pod interface of " + ep.hostIfname() + " is not configured");
        if (!hostConfigured.contains(ep.hostIfname())) p.add("host route to " + ep.ip().getHostAddress() + " is missing");
        return p;
    }

    @Override
    public Map<String, Integer> lxcDevices() {
        calls.add("lxcDevices");
        return Map.copyOf(devices);
    }
}
