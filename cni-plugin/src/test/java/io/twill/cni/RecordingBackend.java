package io.twill.cni;

import io.twill.cni.result.CniInterface;
import io.twill.cni.result.CniResult;
import io.twill.cni.result.Dns;
import io.twill.cni.result.IpConfig;
import io.twill.cni.result.IpPrefix;
import io.twill.cni.result.Ips;
import io.twill.cni.result.Route;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A test backend that records every typed request the engine passes on, keeps the set of live attachments (ADD
 * adds, DEL removes) and answers ADD with a veth-style result. {@link #before} lets a test block or fail a call.
 */
public final class RecordingBackend implements CniBackend {
    public final List<Object> requests = new CopyOnWriteArrayList<>();
    /** "ADD:<container>" / "DEL:<container>" start and end events, in the order they happened. */
    public final List<String> events = Collections.synchronizedList(new ArrayList<>());
    public final Set<Attachment> attached = ConcurrentHashMap.newKeySet();
    public volatile Consumer<Object> before = r -> { };

    @Override
    public CniResult add(AddRequest request) {
        enter("ADD", request.attachment().containerId(), request);
        try {
            attached.add(request.attachment());
            return resultFor(request.attachment().containerId(), request.netns().toString());
        } finally {
            events.add("end ADD:" + request.attachment().containerId());
        }
    }

    @Override
    public void del(DelRequest request) {
        enter("DEL", request.attachment().containerId(), request);
        attached.remove(request.attachment());
        events.add("end DEL:" + request.attachment().containerId());
    }

    @Override
    public void check(CheckRequest request) {
        enter("CHECK", request.attachment().containerId(), request);
        if (!attached.contains(request.attachment())) {
            throw new CniException(CniException.UNKNOWN_CONTAINER, "no attachment " + request.attachment());
        }
    }

    @Override
    public void status(StatusRequest request) {
        enter("STATUS", "", request);
    }

    @Override
    public void gc(GcRequest request) {
        enter("GC", "", request);
        attached.removeIf(a -> a.network().equals(request.conf().name()) && !request.validAttachments().contains(a));
    }

    @Override
    public boolean isAttached(Attachment attachment) {
        return attached.contains(attachment);
    }

    private void enter(String verb, String container, Object request) {
        events.add("start " + verb + ":" + container);
        requests.add(request);
        before.accept(request);
    }

    @SuppressWarnings("unchecked")
    public <T> T last(Class<T> type) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (type.isInstance(requests.get(i))) return (T) requests.get(i);
        }
        throw new AssertionError("no " + type.getSimpleName() + " recorded; got " + requests);
    }

    /** What the agent would return: host veth, pod eth0 with 10.0.1.5/24, a default route, and DNS. */
    public static CniResult resultFor(String containerId, String netns) {
        String suffix = containerId.length() > 8 ? containerId.substring(0, 8) : containerId;
        return new CniResult(
                List.of(CniInterface.host("lxc" + suffix, "02:00:00:00:00:01").withMtu(1450),
                        CniInterface.sandbox("eth0", "02:00:00:00:00:02", netns).withMtu(1450)),
                List.of(IpConfig.of(IpPrefix.parse("10.0.1.5/24"), Ips.parseAddress("10.0.1.1"), 1),
                        IpConfig.of(IpPrefix.parse("fd00:1::5/64"), Ips.parseAddress("fd00:1::1"), 1)),
                List.of(Route.of(IpPrefix.parse("0.0.0.0/0"), Ips.parseAddress("10.0.1.1")),
                        new Route(IpPrefix.parse("10.96.0.0/12"), null, 1400, 1360, 100, 254, 0)),
                new Dns(List.of("10.96.0.10"), "cluster.local", List.of("svc.cluster.local"), List.of("ndots:5")));
    }
}
