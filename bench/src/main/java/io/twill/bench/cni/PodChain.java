package io.twill.bench.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The networks a runtime sets up for one pod, in order: {@code loopback} for {@code lo}, then the pod network for
 * {@code eth0} (Twill's {@code twill-cni}, or the reference {@code bridge}, which itself runs {@code host-local}).
 * Each is a separate plugin execution, as kubelet's runtimes do it. ADD runs them in order, DEL in reverse with the
 * ADD result as {@code prevResult} (libcni ≥ 0.4.0 behaviour). The network configs are built the way libcni builds
 * them (list name and cniVersion injected, keys sorted) before the clock starts.
 */
public final class PodChain {
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /** One network of the chain: the plugin binary, its interface, CNI_PATH and its config (without prevResult). */
    public record Net(String label, Path binary, String ifname, String cniPath, Map<String, Object> conf) {
        public Net {
            Objects.requireNonNull(label);
            Objects.requireNonNull(binary);
            conf = new TreeMap<>(conf);
        }
    }

    /** Per-network times of one pod operation, in the chain's order; {@link #totalNanos()} is the pod's. */
    public record Timing(long[] nanos) {
        public long totalNanos() {
            long t = 0;
            for (long n : nanos) t += n;
            return t;
        }
    }

    public final String name;
    public final List<Net> nets;
    private final String nsPrefix;
    /** container id -> the ADD result of each network (DEL's prevResult). */
    private final Map<String, List<JsonNode>> results = new ConcurrentHashMap<>();

    public PodChain(String name, String nsPrefix, List<Net> nets) {
        this.name = name;
        this.nsPrefix = nsPrefix;
        this.nets = List.copyOf(nets);
    }

    public Path netns(int pod) {
        return Path.of("/run/netns", nsPrefix + "-" + pod);
    }

    public Timing add(String containerId, int pod) {
        long[] t = new long[nets.size()];
        List<JsonNode> res = new ArrayList<>();
        for (int i = 0; i < nets.size(); i++) {
            Net n = nets.get(i);
            PluginExec.Call c = PluginExec.run(n.binary(), env("ADD", containerId, pod, n), stdin(n, null))
                    .ok(name + "/" + n.label() + " ADD " + containerId);
            t[i] = c.nanos();
            try {
                res.add(JSON.readTree(c.stdout()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(n.label() + " ADD printed no JSON: " + c.stdout(), e);
            }
        }
        if (!res.getLast().has("ips")) throw new IllegalStateException(name + " ADD " + containerId + " gave no address: " + res.getLast());
        results.put(containerId, res);
        return new Timing(t);
    }

    public Timing del(String containerId, int pod) {
        List<JsonNode> res = results.remove(containerId);
        if (res == null) throw new IllegalStateException(name + ": DEL of " + containerId + ", which was never added");
        long[] t = new long[nets.size()];
        for (int i = nets.size() - 1; i >= 0; i--) {
            Net n = nets.get(i);
            t[i] = PluginExec.run(n.binary(), env("DEL", containerId, pod, n), stdin(n, res.get(i)))
                    .ok(name + "/" + n.label() + " DEL " + containerId).nanos();
        }
        return new Timing(t);
    }

    /** VERSION of the chain's last plugin: the cost of starting it, with no work behind it. */
    PluginExec.Call version() {
        Net n = nets.getLast();
        return PluginExec.run(n.binary(), Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND", "VERSION"),
                "{\"cniVersion\":\"1.0.0\"}").ok(name + "/" + n.label() + " VERSION");
    }

    private Map<String, String> env(String command, String containerId, int pod, Net n) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns(pod).toString());
        env.put("CNI_IFNAME", n.ifname());
        env.put("CNI_PATH", n.cniPath());
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=pod-" + pod
                + ";K8S_POD_INFRA_CONTAINER_ID=" + containerId);
        return env;
    }

    private static String stdin(Net n, JsonNode prevResult) {
        Map<String, Object> conf = new TreeMap<>(n.conf());
        if (prevResult != null) conf.put("prevResult", prevResult);
        try {
            return JSON.writeValueAsString(conf);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
