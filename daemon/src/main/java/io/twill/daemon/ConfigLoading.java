package io.twill.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * How every Twill process reads its configuration, so twill-agent and twill-operator behave alike: a YAML or JSON
 * file ({@code --config FILE} or {@code <PREFIX>CONFIG}), environment variables ({@code <PREFIX>} + the flag in upper
 * snake case) and flags ({@code --name value} or {@code --name=value}), merged in that order of precedence into one
 * tree, then bound to the process's record tree (whose compact constructors set defaults and validate). Unknown keys,
 * flags and arguments fail naming them; unknown variables with the prefix are logged or fail, as the process says.
 * Errors are made by the process's own exception factory, so its {@code main} keeps catching one type.
 */
public final class ConfigLoading {
    private static final Logger log = LoggerFactory.getLogger(ConfigLoading.class);

    /** How a flag's text becomes a value in the tree. */
    public enum Kind {
        /** As given (Jackson converts it to the field's type, e.g. a number or a duration). */
        TEXT,
        /** A decimal int, checked here so the message names the flag. */
        INT,
        /** true/false (also 1/0, yes/no, on/off); a bare {@code --flag} is true. */
        BOOL,
        /** As BOOL, stored negated (e.g. {@code --standalone} sets {@code kubernetes.enabled: false}). */
        NEGATED_BOOL,
        /** Comma-separated, and repeatable: {@code --pod-cidr a --pod-cidr b,c}. */
        LIST
    }

    /** One flag: its name, the dotted key it sets, how its value is read, and its help line. */
    public record Flag(String name, String key, Kind kind, String help) {
        public Flag {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(kind, "kind");
        }

        boolean bool() {
            return kind == Kind.BOOL || kind == Kind.NEGATED_BOOL;
        }
    }

    /** What to do with a {@code <PREFIX>*} variable that is no flag's. */
    public enum UnknownVariables {
        /** Log and go on (the prefix is shared with other programs). */
        WARN,
        /** Fail (the prefix is this program's alone). */
        FAIL
    }

    /** Thrown for {@code --help} or {@code -h}: the caller prints {@link #usage()} and exits 0. */
    public static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super("help requested", null, false, false);
        }
    }

    /** The merged tree and the file it started from (null when none). */
    public record Sources(ObjectNode tree, Path file) {
    }

    private final String program;
    private final String envPrefix;
    private final List<Flag> flags;
    private final UnknownVariables unknownVariables;
    private final BiFunction<String, Throwable, ? extends RuntimeException> error;
    private final ObjectMapper json = configure(new ObjectMapper());
    private final ObjectMapper yaml = configure(new ObjectMapper(new YAMLFactory()));

    /**
     * @param program          the command, for usage and messages ({@code twill-agent})
     * @param envPrefix        the variables' prefix ({@code TWILL_}, {@code TWILL_OPERATOR_})
     * @param flags            every flag, in the order usage lists them
     * @param unknownVariables WARN or FAIL for a prefixed variable that is no flag's
     * @param error            makes the process's exception from a message and a cause (may be null)
     */
    public ConfigLoading(String program, String envPrefix, List<Flag> flags, UnknownVariables unknownVariables,
                         BiFunction<String, Throwable, ? extends RuntimeException> error) {
        this.program = Objects.requireNonNull(program, "program");
        this.envPrefix = Objects.requireNonNull(envPrefix, "envPrefix");
        this.flags = List.copyOf(flags);
        this.unknownVariables = Objects.requireNonNull(unknownVariables, "unknownVariables");
        this.error = Objects.requireNonNull(error, "error");
    }

    private static ObjectMapper configure(ObjectMapper m) {
        return m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
                .findAndRegisterModules()
                .registerModule(new ConfigModule());
    }

    /** The JSON mapper that binds and prints config trees. */
    public ObjectMapper mapper() {
        return json;
    }

    /** The variable that sets {@code flag}. */
    public String variable(Flag flag) {
        return envPrefix + flag.name().toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** File, then environment, then flags, as one tree. */
    public Sources merge(List<String> args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, List<String>> lists = new LinkedHashMap<>();
        Path file = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--help") || a.equals("-h")) throw new HelpRequested();
            if (!a.startsWith("--")) throw fail("unexpected argument '" + a + "' (flags start with --; see --help)", null);
            String name = a.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("config")) {
                file = Path.of(value != null ? value : next(args, ++i, a));
                continue;
            }
            Flag f = flag(name);
            if (f == null) throw fail("unknown flag --" + name + " (see --help)", null);
            if (value == null) {
                // A bare boolean flag is true; it takes the next argument only when that is a boolean.
                if (f.bool()) value = i + 1 < args.size() && boolOrNull(args.get(i + 1)) != null ? args.get(++i) : "true";
                else value = next(args, ++i, a);
            }
            if (f.kind() == Kind.LIST) lists.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(value);
            else values.put(f.name(), value);
        }
        if (file == null && env.get(envPrefix + "CONFIG") != null) file = Path.of(env.get(envPrefix + "CONFIG"));

        ObjectNode tree = file == null ? JsonNodeFactory.instance.objectNode() : readFile(file);
        for (var e : new java.util.TreeMap<>(env).entrySet()) {
            if (!e.getKey().startsWith(envPrefix) || e.getKey().equals(envPrefix + "CONFIG")) continue;
            Flag f = flags.stream().filter(x -> variable(x).equals(e.getKey())).findFirst().orElse(null);
            if (f == null) {
                if (unknownVariables == UnknownVariables.FAIL) {
                    throw fail("unknown environment variable " + e.getKey() + "; known: "
                            + flags.stream().map(this::variable).collect(Collectors.joining(", ")), null);
                }
                log.warn("ignoring environment variable {}: not a {} setting", e.getKey(), program);
                continue;
            }
            set(tree, f, e.getKey(), List.of(e.getValue()));
        }
        for (var e : values.entrySet()) set(tree, flag(e.getKey()), "--" + e.getKey(), List.of(e.getValue()));
        for (var e : lists.entrySet()) set(tree, flag(e.getKey()), "--" + e.getKey(), e.getValue());
        return new Sources(tree, file);
    }

    private String next(List<String> args, int i, String flag) {
        if (i >= args.size() || args.get(i).startsWith("--")) throw fail(flag + " needs a value", null);
        return args.get(i);
    }

    private Flag flag(String name) {
        return flags.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }

    /** Parses a YAML or JSON document into a tree (the top level must be a mapping). */
    public ObjectNode parse(String text, String what, boolean isJson) {
        if (text.isBlank()) return JsonNodeFactory.instance.objectNode();
        ObjectMapper m = isJson ? json : yaml;
        try {
            JsonNode n = m.readTree(text);
            if (n == null || n.isNull() || n.isMissingNode()) return JsonNodeFactory.instance.objectNode();
            if (!n.isObject()) throw fail(what + " must hold a mapping of keys at the top level", null);
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw fail(what + " is not valid " + (isJson ? "JSON" : "YAML") + ": " + e.getOriginalMessage() + where, e);
        }
    }

    private ObjectNode readFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw fail("cannot read config file " + file + ": it does not exist", e);
        } catch (IOException e) {
            throw fail("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, "config file " + file, file.toString().endsWith(".json"));
    }

    /** Puts a flag's or variable's value into the tree at the flag's dotted key, typed by its kind. */
    private void set(ObjectNode tree, Flag f, String source, List<String> values) {
        String[] path = f.key().split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < path.length - 1; i++) {
            JsonNode child = node.get(path[i]);
            if (child == null || child.isNull()) child = node.putObject(path[i]);
            if (!child.isObject()) throw fail(source + ": config key '" + path[i] + "' is not a mapping", null);
            node = (ObjectNode) child;
        }
        String leaf = path[path.length - 1], value = values.getLast();
        switch (f.kind()) {
            case TEXT -> node.put(leaf, value);
            case INT -> {
                try {
                    node.put(leaf, Integer.parseInt(value.strip()));
                } catch (NumberFormatException e) {
                    throw fail(source + ": '" + value + "' is not a number", e);
                }
            }
            case BOOL -> node.put(leaf, bool(source, value));
            case NEGATED_BOOL -> node.put(leaf, !bool(source, value));
            case LIST -> {
                ArrayNode arr = node.putArray(leaf);
                for (String v : values) {
                    for (String part : v.split(",")) if (!part.isBlank()) arr.add(part.strip());
                }
            }
        }
    }

    private static Boolean boolOrNull(String v) {
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> null;
        };
    }

    private boolean bool(String source, String v) {
        Boolean b = boolOrNull(v);
        if (b == null) throw fail(source + ": '" + v + "' is not true or false", null);
        return b;
    }

    /** Binds a merged tree to {@code type}, turning Jackson's errors into messages that name the key. */
    public <T> T bind(JsonNode tree, Class<T> type, Path file) {
        String from = file == null ? "" : " (in " + file + " or the flags/environment)";
        try {
            return json.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                    : e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            throw fail("unknown config key '" + path(e) + "'" + from + "; known keys here: " + String.join(", ", known), e);
        } catch (ValueInstantiationException e) {
            // A record's constructor refused its values; its message names the key (e.g. "network.mtu must be ...")
            // unless it is a nested record's that does not, which then gets its path in front.
            Throwable c = rootOf(e);
            String why = c == null ? e.getOriginalMessage() : c.getMessage(), p = path(e);
            throw fail((p.equals("config") || why.contains(p) ? "" : p + ": ") + why + from, e);
        } catch (InvalidFormatException e) {
            Throwable c = e.getCause();
            String why = c != null ? c.getMessage() : "'" + e.getValue() + "' is not a valid " + e.getTargetType().getSimpleName();
            throw fail(path(e) + ": " + why + from, e);
        } catch (MismatchedInputException e) {
            throw fail(path(e) + ": " + e.getOriginalMessage() + from, e);
        } catch (JsonMappingException e) {
            Throwable c = rootOf(e);
            throw fail(path(e) + ": " + (c != null ? c.getMessage() : e.getOriginalMessage()) + from, e);
        } catch (JsonProcessingException e) {
            throw fail("invalid configuration: " + e.getOriginalMessage(), e);
        }
    }

    private static Throwable rootOf(JsonMappingException e) {
        Throwable c = e.getCause();
        while (c instanceof JsonMappingException && c.getCause() != null) c = c.getCause();
        return c instanceof JsonMappingException ? null : c;
    }

    private static String path(JsonMappingException e) {
        String p = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        return p.isEmpty() ? "config" : p;
    }

    /** The flags with their variables and keys, for {@code --help}. */
    public String usage() {
        var sb = new StringBuilder("Usage: " + program + " [--config FILE] [flags]\n\n"
                + "Precedence: flags > environment (" + envPrefix + "<FLAG>) > config file (YAML/JSON) > defaults.\n\n");
        sb.append(String.format("  %-36s %s%n", "--config FILE", "YAML or JSON config file (" + envPrefix + "CONFIG)"));
        for (Flag f : flags) {
            String left = "--" + f.name() + (f.bool() ? "" : " VALUE");
            sb.append(String.format("  %-36s %s [%s, key %s]%n", left, f.help(), variable(f), f.key()));
        }
        return sb.toString();
    }

    private RuntimeException fail(String message, Throwable cause) {
        return error.apply(message, cause);
    }
}
