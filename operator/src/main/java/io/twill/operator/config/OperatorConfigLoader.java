package io.twill.operator.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds {@link OperatorConfig} from, in increasing precedence: a YAML or JSON file ({@code --config FILE} or
 * {@code TWILL_OPERATOR_CONFIG}), {@code TWILL_OPERATOR_*} environment variables, and flags. Every flag has an
 * environment twin: {@code --metrics-port} ↔ {@code TWILL_OPERATOR_METRICS_PORT}. Unknown keys, flags and
 * {@code TWILL_OPERATOR_*} variables fail; so do values of the wrong type. Durations read as {@code 500ms},
 * {@code 15s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT15S}).
 */
public final class OperatorConfigLoader {

    public static final String ENV_PREFIX = "TWILL_OPERATOR_";

    private enum Kind { TEXT, LIST, BOOL }

    private record Option(String flag, String path, Kind kind, String help) {
        String env() {
            return ENV_PREFIX + flag.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        }
    }

    private static final List<Option> OPTIONS = List.of(
            new Option("cluster-pool-ipv4-cidr", "clusterPoolIPv4PodCIDRList", Kind.LIST,
                    "pool prefixes, comma-separated (default 10.0.0.0/8)"),
            new Option("cluster-pool-ipv4-mask-size", "clusterPoolIPv4MaskSize", Kind.TEXT,
                    "prefix length of each node CIDR (default 24)"),
            new Option("kubeconfig", "kubeconfig", Kind.TEXT, "kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)"),
            new Option("install-crds", "installCRDs", Kind.BOOL, "create/update the TwillNode CRD at start (default true)"),
            new Option("leader-elect", "leaderElection.enabled", Kind.BOOL, "run leader election (default true)"),
            new Option("leader-election-lease-name", "leaderElection.leaseName", Kind.TEXT, "Lease name (default twill-operator)"),
            new Option("leader-election-namespace", "leaderElection.leaseNamespace", Kind.TEXT, "Lease namespace (default kube-system)"),
            new Option("leader-election-identity", "leaderElection.identity", Kind.TEXT, "this replica's identity (default host_random)"),
            new Option("leader-election-lease-duration", "leaderElection.leaseDuration", Kind.TEXT, "default 15s"),
            new Option("leader-election-renew-deadline", "leaderElection.renewDeadline", Kind.TEXT, "default 10s"),
            new Option("leader-election-retry-period", "leaderElection.retryPeriod", Kind.TEXT, "default 2s"),
            new Option("metrics", "metrics.enabled", Kind.BOOL, "serve /metrics and /healthz (default true)"),
            new Option("metrics-bind-address", "metrics.bindAddress", Kind.TEXT, "default 0.0.0.0"),
            new Option("metrics-port", "metrics.port", Kind.TEXT, "default 9963; 0 = any free port"),
            new Option("node-gc", "nodeGC.enabled", Kind.BOOL, "delete TwillNodes whose Node is gone (default true)"),
            new Option("node-gc-interval", "nodeGC.interval", Kind.TEXT, "time between GC passes (default 30s)"),
            new Option("event-namespace", "eventNamespace", Kind.TEXT, "namespace for Events (default default)"),
            new Option("write-concurrency", "writeConcurrency", Kind.TEXT, "API writes in flight (default 16)"));

    private static final ObjectMapper MAPPER = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(new SimpleModule("twill-durations").addDeserializer(Duration.class, new DurationDeserializer()))
            .build();

    private OperatorConfigLoader() {
    }

    /** @throws OperatorConfigException with a message naming the source and key */
    public static OperatorConfig load(List<String> args, Map<String, String> env) {
        String file = env.get(ENV_PREFIX + "CONFIG");
        ObjectNode flags = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new OperatorConfigException("unexpected argument '" + a + "'; flags look like --name=value");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option opt = name.equals("config") ? null : option(name);
            if (value == null) {
                boolean next = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
                if (opt != null && opt.kind == Kind.BOOL && !next) {
                    value = "true";
                } else if (next) {
                    value = args.get(++i);
                } else {
                    throw new OperatorConfigException("flag --" + name + " needs a value");
                }
            }
            if (opt == null) {
                file = value;
            } else {
                put(flags, opt, value);
            }
        }
        ObjectNode tree = file == null ? JsonNodeFactory.instance.objectNode() : readFile(Path.of(file));
        for (Map.Entry<String, String> e : env.entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(ENV_PREFIX) || k.equals(ENV_PREFIX + "CONFIG")) {
                continue;
            }
            Option opt = OPTIONS.stream().filter(o -> o.env().equals(k)).findFirst().orElseThrow(() ->
                    new OperatorConfigException("unknown environment variable " + k + "; known: "
                            + OPTIONS.stream().map(Option::env).collect(Collectors.joining(", "))));
            put(tree, opt, e.getValue());
        }
        merge(tree, flags);
        return fromTree(tree, file == null ? "flags/environment" : file);
    }

    /** Parses a YAML or JSON document (tests and embedders). */
    public static OperatorConfig parse(String yamlOrJson) {
        try {
            JsonNode node = MAPPER.readTree(yamlOrJson);
            return fromTree(node == null || node.isNull() ? JsonNodeFactory.instance.objectNode() : node, "config");
        } catch (JacksonException e) {
            throw new OperatorConfigException("config: " + e.getOriginalMessage(), e);
        }
    }

    public static String usage() {
        StringBuilder b = new StringBuilder("usage: twill-operator [--config FILE] [--flag=value ...]\n\n"
                + "The file is YAML or JSON with the keys in parentheses; each flag can also be set with the\n"
                + "environment variable shown. Flags beat environment beat file.\n\n");
        b.append(String.format("  %-36s %s%n", "--config FILE", "(TWILL_OPERATOR_CONFIG)"));
        for (Option o : OPTIONS) {
            b.append(String.format("  %-36s %s (%s, %s)%n", "--" + o.flag, o.help, o.path, o.env()));
        }
        return b.toString();
    }

    private static Option option(String flag) {
        return OPTIONS.stream().filter(o -> o.flag.equals(flag)).findFirst().orElseThrow(() ->
                new OperatorConfigException("unknown flag --" + flag + "\n" + usage()));
    }

    private static void put(ObjectNode root, Option opt, String value) {
        String[] path = opt.path.split("\\.");
        ObjectNode at = root;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = at.get(path[i]);
            at = child instanceof ObjectNode o ? o : at.putObject(path[i]);
        }
        String leaf = path[path.length - 1];
        if (opt.kind == Kind.LIST) {
            ArrayNode list = at.putArray(leaf);
            for (String s : value.split(",")) {
                if (!s.isBlank()) {
                    list.add(s.trim());
                }
            }
        } else if (opt.kind == Kind.BOOL) {
            if (!value.equals("true") && !value.equals("false")) {
                throw new OperatorConfigException("--" + opt.flag + " / " + opt.env() + ": '" + value
                        + "' is not true or false");
            }
            at.put(leaf, Boolean.parseBoolean(value));
        } else {
            at.put(leaf, value);
        }
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        from.properties().forEach(e -> {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue() instanceof ObjectNode n) {
                merge(o, n);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    private static ObjectNode readFile(Path file) {
        try {
            JsonNode node = MAPPER.readTree(Files.readString(file));
            if (node == null || node.isNull() || node.isMissingNode()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!(node instanceof ObjectNode o)) {
                throw new OperatorConfigException(file + ": the top level must be a mapping of keys");
            }
            return o;
        } catch (JacksonException e) {
            throw new OperatorConfigException(file + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new OperatorConfigException("cannot read config file " + file + ": " + e, e);
        }
    }

    private static OperatorConfig fromTree(JsonNode tree, String source) {
        try {
            return MAPPER.treeToValue(tree, OperatorConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String at = pathOf(e.getPath().subList(0, e.getPath().size() - 1));
            throw new OperatorConfigException(source + ": unknown key '" + (at.isEmpty() ? "" : at + ".")
                    + e.getPropertyName() + "'; known keys here: " + e.getKnownPropertyIds(), e);
        } catch (ValueInstantiationException e) {
            Throwable root = e.getCause() != null ? e.getCause() : e;
            throw new OperatorConfigException(source + ": " + root.getMessage(), e);
        } catch (JsonMappingException e) {
            throw new OperatorConfigException(source + ": " + pathOf(e.getPath()) + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new OperatorConfigException(source + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new OperatorConfigException(source + ": " + e.getMessage(), e);
        }
    }

    private static String pathOf(List<JsonMappingException.Reference> refs) {
        List<String> parts = new ArrayList<>();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                parts.add(r.getFieldName());
            } else if (r.getIndex() >= 0 && !parts.isEmpty()) {
                parts.set(parts.size() - 1, parts.getLast() + "[" + r.getIndex() + "]");
            }
        }
        return String.join(".", parts);
    }

    /** Reads {@code 250ms}, {@code 15s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT15S}. */
    public static Duration parseDuration(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return Duration.parse(t);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (like 500ms, 15s, 2m, 1h or PT15S)");
        }
    }

    private static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            try {
                return parseDuration(p.getValueAsString(""));
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage(), e);
            }
        }
    }
}
