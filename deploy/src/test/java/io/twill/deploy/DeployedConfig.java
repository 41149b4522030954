package io.twill.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.twill.agent.config.AgentConfig;
import io.twill.agent.config.ConfigLoader;
import io.twill.operator.config.OperatorConfig;
import io.twill.operator.config.OperatorConfigLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's and operator's configuration exactly as their containers would load it: the container's args and
 * environment (downward-API fields filled in with the sample values below), and its config file taken from the
 * ConfigMap it mounts, all handed to the program's own loader.
 */
final class DeployedConfig {

    /** What the kubelet would put into downward-API fields on one node. */
    static final String NODE_NAME = "kind-worker";
    static final String HOST_IP = "172.18.0.3";
    static final String OPERATOR_POD = "twill-operator-7d9c5b8f4-q2x7m";
    static final Map<String, String> FIELDS = Map.of(
            "spec.nodeName", NODE_NAME,
            "status.hostIP", HOST_IP,
            "metadata.name", OPERATOR_POD,
            "metadata.namespace", "kube-system");
    /** The host name the agent would fall back to: never the answer when the env says otherwise. */
    static final String HOST_NAME = "not-the-node-name";

    /** The inputs of one container's loader: args and env with config paths pointing at local copies. */
    record Inputs(List<String> args, Map<String, String> env) {
        Inputs without(String var) {
            Map<String, String> e = new LinkedHashMap<>(env);
            e.remove(var);
            return new Inputs(args, e);
        }
    }

    private DeployedConfig() {
    }

    static Inputs agentInputs(Manifests m, Path tmp) {
        PodSpec spec = m.agent().getSpec().getTemplate().getSpec();
        return inputs(m, spec, Manifests.container(spec, "twill-agent"), "TWILL_CONFIG", tmp);
    }

    static Inputs operatorInputs(Manifests m, Path tmp) {
        PodSpec spec = m.operator().getSpec().getTemplate().getSpec();
        return inputs(m, spec, Manifests.container(spec, "twill-operator"), OperatorConfigLoader.ENV_PREFIX + "CONFIG", tmp);
    }

    static AgentConfig agent(Inputs in) {
        return new ConfigLoader().load(in.args(), in.env(), HOST_NAME);
    }

    static OperatorConfig operator(Inputs in) {
        return OperatorConfigLoader.load(in.args(), in.env());
    }

    static AgentConfig agent(Manifests m, Path tmp) {
        return agent(agentInputs(m, tmp));
    }

    static OperatorConfig operator(Manifests m, Path tmp) {
        return operator(operatorInputs(m, tmp));
    }

    /** Args and env of {@code c}; every config file path (in {@code configVar} or --config) replaced by a local copy. */
    private static Inputs inputs(Manifests m, PodSpec spec, Container c, String configVar, Path tmp) {
        if (!c.getCommand().isEmpty()) {
            throw new AssertionError(c.getName() + " overrides the image's entrypoint (command: " + c.getCommand()
                    + "); the launchers in deploy/docker/ are what starts the JVM correctly");
        }
        Map<String, String> env = Manifests.env(c, FIELDS);
        if (env.containsKey(configVar)) {
            env.put(configVar, local(m, spec, c, env.get(configVar), tmp).toString());
        }
        List<String> args = new ArrayList<>(c.getArgs());
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--config") && i + 1 < args.size()) {
                args.set(i + 1, local(m, spec, c, args.get(i + 1), tmp).toString());
            } else if (args.get(i).startsWith("--config=")) {
                args.set(i, "--config=" + local(m, spec, c, args.get(i).substring(9), tmp));
            }
        }
        return new Inputs(List.copyOf(args), Map.copyOf(env));
    }

    private static Path local(Manifests m, PodSpec spec, Container c, String containerPath, Path tmp) {
        String data = m.configMapFileAt(spec, c, containerPath);
        Path dir = tmp.resolve(c.getName());
        Path f = dir.resolve(Path.of(containerPath).getFileName());
        try {
            Files.createDirectories(dir);
            Files.writeString(f, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }
}
