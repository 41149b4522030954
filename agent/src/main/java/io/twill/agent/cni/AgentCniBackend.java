package io.twill.agent.cni;

import io.twill.agent.endpoint.Endpoint;
import io.twill.agent.endpoint.EndpointException;
import io.twill.agent.endpoint.EndpointKey;
import io.twill.agent.endpoint.EndpointManager;
import io.twill.agent.endpoint.InterfaceNameTakenException;
import io.twill.agent.endpoint.NetnsGoneException;
import io.twill.agent.ipam.IpamException;
import io.twill.agent.ipam.IpamExhaustedException;
import io.twill.agent.ipam.IpamUsage;
import io.twill.cni.AddRequest;
import io.twill.cni.Attachment;
import io.twill.cni.CheckRequest;
import io.twill.cni.CniBackend;
import io.twill.cni.CniException;
import io.twill.cni.DelRequest;
import io.twill.cni.GcRequest;
import io.twill.cni.StatusRequest;
import io.twill.cni.result.CniInterface;
import io.twill.cni.result.CniResult;
import io.twill.cni.result.IpConfig;
import io.twill.cni.result.IpPrefix;
import io.twill.cni.result.Route;
import io.twill.types.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The agent's answer to the CNI engine: turns requests into endpoint operations and endpoint errors into CNI codes.
 * IPAM exhausted → 11 (try again later: a DEL or a new pod CIDR frees space); the pod's interface name taken → 100;
 * the netns gone → 3; a bad static address → 4 (from CNI_ARGS) or 7 (from runtimeConfig); CHECK finding a
 * difference → {@link #CHECK_FAILED}; anything else → 999 with the failed step and its kernel error.
 */
public final class AgentCniBackend implements CniBackend {
    private static final Logger log = LoggerFactory.getLogger(AgentCniBackend.class);
    /** Twill-specific (plugins own 100+): CHECK found the attachment not as ADD left it; the message lists what. */
    public static final int CHECK_FAILED = 110;

    private final EndpointManager endpoints;
    private final Supplier<Optional<String>> notReady;
    private final String nodeName;

    /**
     * @param notReady says why ADD cannot be served yet (e.g. "waiting for the pod CIDR"), empty when ready;
     *                 STATUS reports it
     */
    public AgentCniBackend(EndpointManager endpoints, String nodeName, Supplier<Optional<String>> notReady) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.notReady = Objects.requireNonNull(notReady, "notReady");
    }

    private static EndpointKey key(Attachment a) {
        return new EndpointKey(a.containerId(), a.ifName());
    }

    @Override
    public CniResult add(AddRequest r) {
        Inet4Address staticIp = staticIp(r);
        MacAddress mac = r.args().mac() != null ? MacAddress.parse(r.args().mac())
                : r.conf().runtimeMac() != null ? MacAddress.parse(r.conf().runtimeMac()) : null;
        EndpointManager.AddSpec spec = new EndpointManager.AddSpec(key(r.attachment()), r.attachment().network(),
                r.netns(), r.args().podNamespace(), r.args().podName(), staticIp, mac, r.conf().mtu());
        Endpoint ep;
        try {
            ep = endpoints.add(spec);
        } catch (EndpointException e) {
            throw translate(e, r);
        } catch (InterfaceNameTakenException e) {
            throw new CniException(CniException.ALREADY_ATTACHED, e.getMessage(), "DEL the attachment first");
        }
        return result(ep, r);
    }

    private Inet4Address staticIp(AddRequest r) {
        List<InetAddress> fromArgs = r.args().ips();
        List<InetAddress> asked = !fromArgs.isEmpty() ? fromArgs
                : r.conf().runtimeIps().stream().map(IpPrefix::address).toList();
        if (asked.isEmpty()) return null;
        String from = !fromArgs.isEmpty() ? "CNI_ARGS IP" : "runtimeConfig.ips";
        int code = !fromArgs.isEmpty() ? CniException.INVALID_ENVIRONMENT : CniException.INVALID_NETWORK_CONFIG;
        List<InetAddress> v4 = asked.stream().filter(a -> a instanceof Inet4Address).toList();
        if (v4.size() != 1 || asked.size() != 1) {
            throw new CniException(code, from + ": Twill gives a pod exactly one IPv4 address, got "
                    + asked.stream().map(InetAddress::getHostAddress).collect(Collectors.joining(",")));
        }
        return (Inet4Address) v4.getFirst();
    }

    private CniException translate(EndpointException e, AddRequest r) {
        Throwable cause = e.getCause();
        String details = e.getMessage();
        if (cause instanceof IpamExhaustedException x) {
            return new CniException(CniException.TRY_AGAIN_LATER, "no free pod address on node " + nodeName + ": "
                    + x.getMessage(), "the pod CIDRs " + x.cidrs() + " are full; retry when pods have been deleted", e);
        }
        if (cause instanceof InterfaceNameTakenException t) {
            return new CniException(CniException.ALREADY_ATTACHED, t.getMessage(), details, e);
        }
        if (cause instanceof NetnsGoneException g) {
            return new CniException(CniException.UNKNOWN_CONTAINER, g.getMessage(), details, e);
        }
        if (cause instanceof IpamException i && e.step() == EndpointException.Step.ALLOCATE_IP) {
            boolean fromArgs = !r.args().ips().isEmpty();
            return new CniException(fromArgs ? CniException.INVALID_ENVIRONMENT : CniException.INVALID_NETWORK_CONFIG,
                    (fromArgs ? "CNI_ARGS IP: " : "runtimeConfig.ips: ") + i.getMessage(), details, e);
        }
        if (cause instanceof IllegalArgumentException a && e.step() == EndpointException.Step.ALLOCATE_IP) {
            return new CniException(CniException.INVALID_NETWORK_CONFIG, a.getMessage(), details, e);
        }
        log.error("ADD {} failed", r.attachment(), e);
        return new CniException(CniException.INTERNAL, "Twill could not set up " + r.attachment().ifName()
                + " of container " + r.attachment().containerId() + " at step '" + e.step() + "'", details, e);
    }

    /** Interfaces host (0) and sandbox (1), the /32 on the sandbox one, the default route, the config's DNS. */
    static CniResult result(Endpoint ep, AddRequest r) {
        CniInterface host = CniInterface.host(ep.hostIfname(), ep.hostMac().toString()).withMtu(ep.mtu());
        CniInterface pod = CniInterface.sandbox(ep.key().ifname(), ep.podMac().toString(), r.netns().toString()).withMtu(ep.mtu());
        IpConfig ip = IpConfig.of(new IpPrefix(ep.ip(), 32), ep.gateway(), 1);
        Route def = new Route(IpPrefix.of("0.0.0.0", 0), ep.gateway(), ep.routeMtu(), null, null, null, null);
        return new CniResult(List.of(host, pod), List.of(ip), List.of(def), r.conf().dns());
    }

    @Override
    public void del(DelRequest r) {
        try {
            endpoints.del(key(r.attachment()));
        } catch (EndpointException e) {
            log.error("DEL {} failed", r.attachment(), e);
            throw new CniException(CniException.TRY_AGAIN_LATER, "Twill could not delete " + r.attachment().ifName()
                    + " of container " + r.attachment().containerId() + " completely", e.getMessage(), e);
        }
    }

    @Override
    public void check(CheckRequest r) {
        EndpointKey key = key(r.attachment());
        if (!endpoints.exists(key)) {
            throw new CniException(CniException.UNKNOWN_CONTAINER, "Twill has no attachment " + r.attachment(),
                    "it was never added, or it was deleted");
        }
        List<String> problems = new ArrayList<>(endpoints.check(key, r.netns()));
        Endpoint ep = endpoints.registry().get(key).orElseThrow();
        problems.addAll(compareWithCachedResult(ep, r.expected(), r.netns()));
        if (!problems.isEmpty()) {
            throw new CniException(CHECK_FAILED, "attachment " + r.attachment() + " is not as ADD left it: "
                    + problems.size() + " problem(s)", String.join("; ", problems));
        }
    }

    /** The runtime's cached result must still describe this endpoint: our sandbox interface and its address. */
    static List<String> compareWithCachedResult(Endpoint ep, CniResult expected, java.nio.file.Path netns) {
        List<String> p = new ArrayList<>();
        int idx = -1;
        for (int i = 0; i < expected.interfaces().size(); i++) {
            CniInterface c = expected.interfaces().get(i);
            if (c.name().equals(ep.key().ifname()) && c.inSandbox()) idx = i;
        }
        if (idx < 0) {
            p.add("prevResult has no interface " + ep.key().ifname() + " in " + netns);
            return p;
        }
        CniInterface c = expected.interfaces().get(idx);
        if (c.mac() != null && !MacAddress.parse(c.mac()).equals(ep.podMac())) {
            p.add("prevResult says " + ep.key().ifname() + " has MAC " + c.mac() + ", Twill gave it " + ep.podMac());
        }
        final int want = idx;
        boolean hasIp = expected.ips().stream().anyMatch(ip -> Objects.equals(ip.interfaceIndex(), want)
                && ip.address().address().equals(ep.ip()));
        if (!hasIp) p.add("prevResult does not list " + ep.ip().getHostAddress() + " on " + ep.key().ifname());
        return p;
    }

    @Override
    public void status(StatusRequest r) {
        Optional<String> why = notReady.get();
        if (why.isPresent()) throw CniException.pluginNotAvailable("Twill agent on " + nodeName + " is not ready", why.get());
        IpamUsage u = endpoints.ipam().usage();
        if (u.available() == 0) {
            throw CniException.pluginNotAvailable("no free pod address on node " + nodeName,
                    "all " + u.capacity() + " addresses of " + endpoints.ipam().cidrs() + " are allocated");
        }
    }

    @Override
    public void gc(GcRequest r) {
        Set<EndpointKey> valid = r.validAttachments().stream()
                .filter(a -> a.network().equals(r.conf().name())).map(AgentCniBackend::key).collect(Collectors.toSet());
        try {
            endpoints.gc(r.conf().name(), valid);
        } catch (RuntimeException e) {
            throw new CniException(CniException.TRY_AGAIN_LATER, "GC of network " + r.conf().name() + " was incomplete",
                    e.getMessage(), e);
        }
    }

    @Override
    public boolean isAttached(Attachment a) {
        return endpoints.registry().get(key(a)).map(ep -> ep.network().equals(a.network())).orElse(false);
    }
}
