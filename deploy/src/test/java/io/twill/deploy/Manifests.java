package io.twill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Every Kubernetes object under {@code deploy/crds/} and {@code deploy/kubernetes/}, parsed twice: as YAML trees
 * (for exact comparisons) and as Fabric8 model objects (for typed access), with lookups the tests share.
 */
final class Manifests {

    /** One YAML document of one file. */
    record Doc(Path file, int index, JsonNode tree, HasMetadata object) {
        String where() {
            return Repo.relative(file) + " document " + (index + 1) + " (" + object.getKind() + " "
                    + object.getMetadata().getName() + ")";
        }
    }

    static final ObjectMapper YAML = new YAMLMapper();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final List<Doc> docs;

    private Manifests(List<Doc> docs) {
        this.docs = List.copyOf(docs);
    }

    static Manifests load() {
        List<Doc> docs = new ArrayList<>();
        for (String dir : List.of("deploy/crds", "deploy/kubernetes")) {
            for (Path f : Repo.list(dir, ".yaml")) {
                docs.addAll(parse(f));
            }
        }
        return new Manifests(docs);
    }

    static List<Doc> parse(Path file) {
        List<Doc> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
            int i = 0;
            while (it.hasNext()) {
                JsonNode tree = it.next();
                if (tree == null || tree.isNull() || tree.isEmpty()) {
                    continue; // an empty document (a trailing ---)
                }
                Object o = SERIALIZATION.unmarshal(YAML.writeValueAsString(tree));
                if (!(o instanceof HasMetadata h)) {
                    throw new AssertionError(Repo.relative(file) + " document " + (i + 1) + " is not a Kubernetes object: " + o);
                }
                out.add(new Doc(file, i++, tree, h));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("parsing " + file, e);
        }
        return out;
    }

    List<Doc> docs() {
        return docs;
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return docs.stream().map(Doc::object).filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        List<T> found = all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected exactly one " + type.getSimpleName() + " " + name + " in deploy/, found "
                    + found.size());
        }
        return found.getFirst();
    }

    DaemonSet agent() {
        return one(DaemonSet.class, "twill-agent");
    }

    Deployment operator() {
        return one(Deployment.class, "twill-operator");
    }

    ConfigMap config() {
        return one(ConfigMap.class, "twill-config");
    }

    static Container container(PodSpec spec, String name) {
        return Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream())
                .filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    static List<Container> allContainers(PodSpec spec) {
        return Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream()).toList();
    }

    static Volume volume(PodSpec spec, String name) {
        return spec.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    /** The mount of {@code c} whose mount path holds {@code path} (the longest such). */
    static Optional<VolumeMount> mountHolding(Container c, String path) {
        return c.getVolumeMounts().stream()
                .filter(m -> Path.of(path).startsWith(Path.of(m.getMountPath())))
                .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()));
    }

    /**
     * The file a container sees at {@code path} when it comes from a ConfigMap volume: the ConfigMap's data for the
     * mounted key.
     */
    String configMapFileAt(PodSpec spec, Container c, String path) {
        VolumeMount m = mountHolding(c, path).orElseThrow(() -> new AssertionError(c.getName() + " mounts nothing at " + path));
        Volume v = volume(spec, m.getName());
        if (v.getConfigMap() == null) {
            throw new AssertionError(path + " in " + c.getName() + " is not from a ConfigMap but from " + v);
        }
        String inVolume = Path.of(m.getMountPath()).relativize(Path.of(path)).toString();
        String key = v.getConfigMap().getItems().isEmpty() ? inVolume : v.getConfigMap().getItems().stream()
                .filter(i -> i.getPath().equals(inVolume)).findFirst()
                .orElseThrow(() -> new AssertionError("ConfigMap volume " + v.getName() + " has no item at " + inVolume))
                .getKey();
        ConfigMap cm = one(ConfigMap.class, v.getConfigMap().getName());
        String data = cm.getData().get(key);
        if (data == null) {
            throw new AssertionError("ConfigMap " + cm.getMetadata().getName() + " has no key " + key);
        }
        return data;
    }

    /**
     * The container's environment as the kubelet would set it, with downward-API fields taken from
     * {@code fields} (e.g. spec.nodeName → a node name). Anything else (secrets, resource fields) fails.
     */
    static Map<String, String> env(Container c, Map<String, String> fields) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
                String field = e.getValueFrom().getFieldRef().getFieldPath();
                String v = fields.get(field);
                if (v == null) {
                    throw new AssertionError(c.getName() + " env " + e.getName() + " reads " + field
                            + ", which this test does not know how to fill in");
                }
                env.put(e.getName(), v);
            } else {
                throw new AssertionError(c.getName() + " env " + e.getName() + " has neither a value nor a fieldRef");
            }
        }
        return env;
    }

    /**
     * Fields the YAML had but the Fabric8 model does not know: a misspelt key (mountPropogation) would be silently
     * dropped by the API server's older versions and is almost always a bug. Reported as "path: [keys]".
     */
    static List<String> unknownFields(Object o, String path) {
        List<String> out = new ArrayList<>();
        walk(o, path, out);
        return out;
    }

    private static void walk(Object o, String path, List<String> out) {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> list) {
            int i = 0;
            for (Object e : list) {
                walk(e, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, out));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getName().equals("getClass")) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("reading " + path + " via " + m, e);
            }
            if (m.getName().equals("getAdditionalProperties") && v instanceof Map<?, ?> extra) {
                if (!extra.isEmpty()) {
                    out.add(path + ": " + extra.keySet());
                }
                continue;
            }
            String property = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            walk(v, path + "." + property, out);
        }
    }

    static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
