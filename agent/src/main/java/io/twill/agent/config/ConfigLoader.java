package io.twill.agent.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.twill.api.config.TypesModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds the {@link AgentConfig} from, in increasing precedence: the defaults in the records' constructors, a
 * YAML or JSON file ({@code --config FILE} or {@code TWILL_CONFIG}), environment variables ({@code TWILL_} + the
 * flag name in upper snake case, e.g. {@code TWILL_NODE_NAME}) and command-line flags ({@code --node-name x} or
 * {@code --node-name=x}). Unknown keys in the file and unknown flags fail, naming the key; unknown
 * {@code TWILL_*} variables are logged (other Twill programs share the prefix).
 */
public final class ConfigLoader {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
    static final String ENV_PREFIX = "TWILL_";

    /** One flag: its name, the key it sets in the config tree, and how its value is read. */
    record Flag(String name, String key, Kind kind, String help) {
        String env() {
            return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    enum Kind { STRING, INT, BOOL, LIST, NEGATED_BOOL }

    static final List<Flag> FLAGS = List.of(
            new Flag("node-name", "nodeName", Kind.STRING, "this node's name (default: the host name)"),
            new Flag("standalone", "kubernetes.enabled", Kind.NEGATED_BOOL, "run without Kubernetes (needs --pod-cidr)"),
            new Flag("kubeconfig", "kubernetes.kubeconfig", Kind.STRING, "kubeconfig file (default: in-cluster or $KUBECONFIG)"),
            new Flag("pin-root", "paths.pinRoot", Kind.STRING, "bpffs directory for pinned maps and links (/sys/fs/bpf/twill)"),
            new Flag("state-dir", "paths.stateDir", Kind.STRING, "endpoint and IPAM state (/var/run/twill)"),
            new Flag("socket", "paths.socket", Kind.STRING, "CNI socket (<state-dir>/twill.sock)"),
            new Flag("uplink", "network.uplink", Kind.STRING, "the node's uplink device (eth0)"),
            new Flag("routing-mode", "network.routingMode", Kind.STRING, "overlay (VXLAN) or native"),
            new Flag("tunnel-port", "network.tunnelPort", Kind.INT, "VXLAN UDP port (8472)"),
            new Flag("cluster-cidr", "network.clusterPoolCIDR", Kind.STRING, "the cluster's pod range (10.0.0.0/8)"),
            new Flag("mtu", "network.mtu", Kind.INT, "device MTU; 0 = the uplink's (0)"),
            new Flag("node-ip", "network.nodeIP", Kind.STRING, "this node's underlay IPv4 (default: the uplink's first)"),
            new Flag("enable-tcx", "network.enableTCX", Kind.BOOL, "attach programs as TCX links where the kernel has them; false: cls_bpf (true)"),
            new Flag("pod-cidr", "standalone.podCIDRs", Kind.LIST, "standalone: this node's pod CIDR (repeatable, or comma-separated)"),
            new Flag("peers-file", "standalone.peersFile", Kind.STRING, "standalone: file of '<node IP> <pod CIDR>' lines or JSON"),
            new Flag("metrics-address", "metrics.address", Kind.STRING, "Prometheus endpoint, host:port or :port, 'off' (:9962)"),
            new Flag("cgroup-root", "paths.cgroupRoot", Kind.STRING, "cgroup v2 mount for the socket load balancer (/run/twill/cgroupv2)"),
            new Flag("kube-proxy-replacement", "kubeProxyReplacement", Kind.BOOL, "serve ClusterIP, NodePort and external IPs in BPF, without kube-proxy (false)"),
            new Flag("node-port-range", "services.nodePortRange", Kind.STRING, "NodePort range, as kube-apiserver's --service-node-port-range (30000-32767)"),
            new Flag("socket-lb", "services.socketLB", Kind.BOOL, "load-balance Services at connect() (true); false: per packet only"),
            new Flag("enable-masquerade", "masquerade.enabled", Kind.BOOL, "SNAT pod traffic leaving the cluster to the node address (true)"),
            new Flag("non-masquerade-cidrs", "masquerade.nonMasqueradeCIDRs", Kind.LIST, "destinations pods reach with their own address (repeatable)"),
            new Flag("ct-max-entries", "conntrack.maxEntries", Kind.INT, "connection tracking entries (524288)"));

    private final ObjectMapper yaml;
    private final ObjectMapper json;

    public ConfigLoader() {
        this.yaml = configure(new ObjectMapper(new YAMLFactory()));
        this.json = configure(new ObjectMapper());
    }

    private static ObjectMapper configure(ObjectMapper m) {
        return m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .findAndRegisterModules()
                .registerModule(new TypesModule());
    }

    /** The mapper that reads and writes config trees (also used to print the effective config). */
    public ObjectMapper mapper() {
        return json;
    }

    /** Thrown for {@code --help}: the caller prints {@link #usage()} and exits 0. */
    public static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super("help requested", null, false, false);
        }
    }

    /**
     * Loads the configuration. {@code hostName} is the default node name (the caller reads it from the system).
     *
     * @throws ConfigException naming the flag, variable or key at fault
     */
    public AgentConfig load(List<String> args, Map<String, String> env, String hostName) {
        Map<String, String> flagValues = new LinkedHashMap<>();
        Map<String, List<String>> listValues = new LinkedHashMap<>();
        Path configFile = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--help") || a.equals("-h")) throw new HelpRequested();
            if (!a.startsWith("--")) throw new ConfigException("unexpected argument '" + a + "' (flags start with --; see --help)");
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("config")) {
                if (value == null) value = next(args, ++i, a);
                configFile = Path.of(value);
                continue;
            }
            Flag f = flag(name);
            if (f == null) throw new ConfigException("unknown flag --" + name + " (see --help)");
            if (value == null) {
                if (f.kind() == Kind.BOOL || f.kind() == Kind.NEGATED_BOOL) value = "true";
                else value = next(args, ++i, a);
            }
            if (f.kind() == Kind.LIST) listValues.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(value);
            else flagValues.put(f.name(), value);
        }
        if (configFile == null && env.get(ENV_PREFIX + "CONFIG") != null) configFile = Path.of(env.get(ENV_PREFIX + "CONFIG"));

        ObjectNode tree = configFile == null ? JsonNodeFactory.instance.objectNode() : readFile(configFile);
        for (var e : env.entrySet()) {
            if (!e.getKey().startsWith(ENV_PREFIX) || e.getKey().equals(ENV_PREFIX + "CONFIG")) continue;
            Flag f = FLAGS.stream().filter(x -> x.env().equals(e.getKey())).findFirst().orElse(null);
            if (f == null) {
                log.warn("ignoring environment variable {}: not an agent setting", e.getKey());
                continue;
            }
            set(tree, f, e.getKey(), f.kind() == Kind.LIST ? List.of(e.getValue()) : null, e.getValue());
        }
        for (var e : flagValues.entrySet()) set(tree, flag(e.getKey()), "--" + e.getKey(), null, e.getValue());
        for (var e : listValues.entrySet()) set(tree, flag(e.getKey()), "--" + e.getKey(), e.getValue(), null);
        if (!tree.has("nodeName") && hostName != null) {
            tree.put("nodeName", hostName.strip().toLowerCase(Locale.ROOT));
        }
        return bind(tree, configFile);
    }

    private static String next(List<String> args, int i, String flag) {
        if (i >= args.size()) throw new ConfigException(flag + " needs a value");
        return args.get(i);
    }

    private static Flag flag(String name) {
        return FLAGS.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }

    private ObjectNode readFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        if (text.isBlank()) return JsonNodeFactory.instance.objectNode();
        ObjectMapper m = file.toString().endsWith(".json") ? json : yaml;
        try {
            JsonNode n = m.readTree(text);
            if (n == null || n.isNull() || n.isMissingNode()) return JsonNodeFactory.instance.objectNode();
            if (!n.isObject()) throw new ConfigException("config file " + file + " must hold a mapping at the top level");
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            throw new ConfigException("config file " + file + " is not valid " + (m == json ? "JSON" : "YAML") + ": "
                    + e.getOriginalMessage() + location(e), e);
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    /** Puts a flag/env value into the tree at the flag's dotted key, typed by its kind. */
    private static void set(ObjectNode tree, Flag f, String source, List<String> list, String value) {
        String[] path = f.key().split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            if (child == null || child.isNull()) child = node.putObject(path[i]);
            if (!child.isObject()) throw new ConfigException(source + ": config key '" + path[i] + "' is not a mapping");
            node = (ObjectNode) child;
        }
        String leaf = path[path.length - 1];
        switch (f.kind()) {
            case STRING -> node.put(leaf, value);
            case INT -> {
                try {
                    node.put(leaf, Integer.parseInt(value.strip()));
                } catch (NumberFormatException e) {
                    throw new ConfigException(source + ": '" + value + "' is not a number");
                }
            }
            case BOOL -> node.put(leaf, parseBool(source, value));
            case NEGATED_BOOL -> node.put(leaf, !parseBool(source, value));
            case LIST -> {
                ArrayNode arr = node.putArray(leaf);
                for (String v : list) {
                    for (String part : v.split(",")) if (!part.isBlank()) arr.add(part.strip());
                }
            }
        }
    }

    private static boolean parseBool(String source, String v) {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(source + ": '" + v + "' is not true or false");
        };
    }

    /** Binds a merged tree to the records, turning Jackson's errors into messages that name the key. */
    public AgentConfig bind(JsonNode tree, Path file) {
        String from = file == null ? "" : " (in " + file + " or the flags/environment)";
        try {
            return json.treeToValue(tree, AgentConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String key = path(e);
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                    : e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            throw new ConfigException("unknown config key '" + key + "'" + from + "; known keys here: "
                    + String.join(", ", known), e);
        } catch (ValueInstantiationException e) {
            Throwable c = e.getCause();
            while (c instanceof JsonMappingException && c.getCause() != null) c = c.getCause();
            if (c instanceof ConfigException ce) throw new ConfigException(ce.getMessage() + from, ce);
            throw new ConfigException(path(e) + ": " + (c == null ? e.getOriginalMessage() : c.getMessage()) + from, e);
        } catch (InvalidFormatException e) {
            Throwable c = e.getCause();
            String why = c != null ? c.getMessage() : "'" + e.getValue() + "' is not a valid " + e.getTargetType().getSimpleName();
            throw new ConfigException(path(e) + ": " + why + from, e);
        } catch (MismatchedInputException e) {
            throw new ConfigException(path(e) + ": " + e.getOriginalMessage() + from, e);
        } catch (JsonMappingException e) {
            Throwable c = e.getCause();
            while (c instanceof JsonMappingException && c.getCause() != null) c = c.getCause();
            if (c instanceof ConfigException ce) throw new ConfigException(ce.getMessage() + from, ce);
            String why = c != null && c != e ? c.getMessage() : e.getOriginalMessage();
            throw new ConfigException(path(e) + ": " + why + from, e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("invalid configuration: " + e.getOriginalMessage(), e);
        }
    }

    private static String path(JsonMappingException e) {
        String p = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return p.isEmpty() ? "config" : p;
    }

    /** The flags and their environment variables, for --help. */
    public static String usage() {
        var sb = new StringBuilder("Usage: twill-agent [--config FILE] [flags]\n\n"
                + "Precedence: flags > environment (TWILL_<FLAG>) > config file (YAML/JSON) > defaults.\n\n");
        sb.append(String.format("  %-28s %s%n", "--config FILE", "YAML or JSON config file (TWILL_CONFIG)"));
        for (Flag f : FLAGS) {
            String left = "--" + f.name() + (f.kind() == Kind.BOOL || f.kind() == Kind.NEGATED_BOOL ? "" : " VALUE");
            sb.append(String.format("  %-28s %s [%s, key %s]%n", left, f.help(), f.env(), f.key()));
        }
        return sb.toString();
    }
}
