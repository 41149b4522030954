package io.twill.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.twill.agent.config.AgentConfig;
import io.twill.api.TwillNode;
import io.twill.operator.config.OperatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The manifests in deploy/ against the code they deploy: every object parses with no unknown field, the CRD is the
 * generated one, the ConfigMap's files load with the agent's and operator's own loaders, ports, probes, mounts,
 * images and service accounts agree with the config, the launchers, the Dockerfiles and ci/kind/.
 * RBAC has its own test ({@link RbacTest}).
 */
class ManifestsTest {

    /**
     * Host paths the pods may mount. DESIGN.md ("Where it runs", "Names") names the first four; /var/run/netns is
     * where containerd and CRI-O create pod network namespaces, whose paths the CNI plugin hands the agent.
     */
    static final Set<String> HOST_PATHS = Set.of("/sys/fs/bpf", "/opt/cni/bin", "/etc/cni/net.d", "/var/run/twill",
            "/var/run/netns");

    private final Manifests m = Manifests.load();
    @TempDir
    Path tmp;

    @Test
    void everyManifestIsAKnownKindWithNoUnknownFieldInKubeSystem() {
        assertThat(m.docs()).isNotEmpty();
        Map<String, Integer> kinds = new TreeMap<>();
        Set<String> seen = new HashSet<>();
        for (Manifests.Doc d : m.docs()) {
            HasMetadata o = d.object();
            kinds.merge(o.getKind(), 1, Integer::sum);
            assertThat(seen.add(o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName()))
                    .as("%s is defined twice", d.where()).isTrue();
            if (o instanceof Namespaced) {
                assertThat(o.getMetadata().getNamespace()).as("namespace of %s", d.where()).isEqualTo("kube-system");
            } else {
                assertThat(o.getMetadata().getNamespace()).as("namespace of cluster-scoped %s", d.where()).isNull();
            }
            if (!(o instanceof CustomResourceDefinition)) { // the CRD is compared with the generated one instead
                assertThat(Manifests.unknownFields(o, o.getKind())).as("fields the model does not know in %s", d.where())
                        .isEmpty();
            }
        }
        assertThat(kinds).isEqualTo(Map.of("ClusterRole", 2, "ClusterRoleBinding", 2, "ConfigMap", 1,
                "CustomResourceDefinition", 1, "DaemonSet", 1, "Deployment", 1, "Role", 1, "RoleBinding", 1,
                "ServiceAccount", 2));
    }

    @Test
    void theCrdIsTheOneTheBuildGeneratesFromTheApiClasses() throws IOException {
        CustomResourceDefinition crd = m.one(CustomResourceDefinition.class, TwillNode.CRD_NAME);
        Manifests.Doc doc = m.docs().stream().filter(d -> d.object() == crd).findFirst().orElseThrow();
        String resource = "META-INF/fabric8/" + TwillNode.CRD_NAME + "-v1.yml";
        JsonNode generated;
        try (InputStream in = TwillNode.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as("%s on the classpath (the twill-api jar)", resource).isNotNull();
            generated = Manifests.YAML.readTree(in);
        }
        assertThat(doc.tree()).as("%s differs from the CRD generated from io.twill.api.TwillNode; refresh it: "
                + "cp api/target/classes/%s %s", Repo.relative(doc.file()), resource, Repo.relative(doc.file()))
                .isEqualTo(generated);
    }

    @Test
    void configMapFilesLoadWithTheProgramsOwnLoadersAndEveryVariableTakesEffect() {
        DeployedConfig.Inputs agentIn = DeployedConfig.agentInputs(m, tmp);
        AgentConfig agent = DeployedConfig.agent(agentIn);
        assertThat(agent.nodeName()).as("node name from spec.nodeName").isEqualTo(DeployedConfig.NODE_NAME);
        assertThat(agent.network().nodeIP()).as("node IP from status.hostIP").isEqualTo(DeployedConfig.HOST_IP);
        assertThat(agent.kubernetes().enabled()).isTrue();
        // The agent only warns about TWILL_* variables it does not know: prove each one changes the result.
        for (String var : agentIn.env().keySet()) {
            if (var.startsWith("TWILL_")) {
                assertThat(DeployedConfig.agent(agentIn.without(var))).as("the agent's config without " + var
                        + " (a variable the agent ignores?)").isNotEqualTo(agent);
            }
        }
        // The operator refuses unknown TWILL_OPERATOR_* variables and keys by itself.
        DeployedConfig.Inputs opIn = DeployedConfig.operatorInputs(m, tmp);
        OperatorConfig op = DeployedConfig.operator(opIn);
        assertThat(op.leaderElection().identity()).as("lease identity = pod name").isEqualTo(DeployedConfig.OPERATOR_POD);
        assertThat(op.leaderElection().enabled()).isTrue();
        assertThat(op.leaderElection().leaseNamespace()).isEqualTo(m.operator().getMetadata().getNamespace());
    }

    @Test
    void poolsAgreeBetweenAgentOperatorAndTheKindCluster() throws IOException {
        AgentConfig agent = DeployedConfig.agent(m, tmp);
        OperatorConfig op = DeployedConfig.operator(m, tmp);
        for (String pool : op.clusterPoolIPv4PodCIDRList()) {
            assertThat(agent.network().clusterPoolCIDR().contains(io.twill.types.Ipv4Prefix.parse(pool)))
                    .as("operator pool %s inside the agent's network.clusterPoolCIDR %s", pool,
                            agent.network().clusterPoolCIDR()).isTrue();
        }
        JsonNode kind = Manifests.YAML.readTree(Repo.read("ci/kind/kind-config.yaml"));
        assertThat(kind.path("networking").path("disableDefaultCNI").asBoolean()).isTrue();
        assertThat(List.of(kind.path("networking").path("podSubnet").asText()))
                .as("kind podSubnet = the operator's pool").isEqualTo(op.clusterPoolIPv4PodCIDRList());
        var services = io.twill.types.Ipv4Prefix.parse(kind.path("networking").path("serviceSubnet").asText());
        assertThat(services.overlaps(agent.network().clusterPoolCIDR())).as("service range overlaps pods").isFalse();
        assertThat(kind.path("nodes").findValuesAsText("role")).containsExactly("control-plane", "worker", "worker");
    }

    @Test
    void containerPortsAndProbesAreTheConfiguredMetricsPorts() {
        AgentConfig agent = DeployedConfig.agent(m, tmp);
        OperatorConfig op = DeployedConfig.operator(m, tmp);
        assertThat(agent.metrics().enabled()).isTrue();
        assertThat(op.metrics().enabled()).isTrue();
        checkPortsAndProbes(m.agent().getSpec().getTemplate().getSpec(), "twill-agent", agent.metrics().port());
        checkPortsAndProbes(m.operator().getSpec().getTemplate().getSpec(), "twill-operator", op.metrics().port());
        // and the ConfigMap does not move them away from what the code (and twillctl) expect by default
        assertThat(agent.metrics().port()).isEqualTo(new AgentConfig.Metrics(null).port());
        assertThat(op.metrics().port()).isEqualTo(OperatorConfig.defaults().metrics().port());
    }

    private static void checkPortsAndProbes(PodSpec spec, String name, int port) {
        assertThat(spec.getHostNetwork()).as("%s hostNetwork", name).isTrue();
        Container c = Manifests.container(spec, name);
        assertThat(c.getPorts()).extracting(ContainerPort::getContainerPort).as("%s ports", name).containsExactly(port);
        List<Probe> probes = Stream.of(c.getStartupProbe(), c.getReadinessProbe(), c.getLivenessProbe())
                .filter(Objects::nonNull).toList();
        assertThat(c.getReadinessProbe()).as("%s readiness probe", name).isNotNull();
        assertThat(c.getLivenessProbe()).as("%s liveness probe", name).isNotNull();
        for (Probe p : probes) {
            HTTPGetAction get = p.getHttpGet();
            assertThat(get).as("%s probes are HTTP GETs", name).isNotNull();
            assertThat(get.getPath()).isEqualTo("/healthz");
            assertThat(get.getPort().getIntVal()).as("%s probe port", name).isEqualTo(port);
        }
        assertThat(c.getResources().getRequests()).as("%s resource requests", name).containsKeys("cpu", "memory");
        assertThat(spec.getTerminationGracePeriodSeconds()).as("%s termination grace", name).isNotNull();
    }

    @Test
    void serviceAccountsExistAndSelectorsMatchTheirPods() {
        for (var pod : List.of(Map.entry(m.agent().getSpec().getTemplate(), m.agent().getSpec().getSelector()),
                Map.entry(m.operator().getSpec().getTemplate(), m.operator().getSpec().getSelector()))) {
            String sa = pod.getKey().getSpec().getServiceAccountName();
            assertThat(m.all(ServiceAccount.class)).as("ServiceAccount %s", sa)
                    .anyMatch(s -> s.getMetadata().getName().equals(sa));
            assertThat(pod.getKey().getMetadata().getLabels()).containsAllEntriesOf(pod.getValue().getMatchLabels());
        }
    }

    @Test
    void everyMountHasAVolumeAndHostPathsAreTheOnesTheDesignNames() {
        for (PodSpec spec : List.of(m.agent().getSpec().getTemplate().getSpec(),
                m.operator().getSpec().getTemplate().getSpec())) {
            Set<String> used = new HashSet<>();
            for (Container c : Manifests.allContainers(spec)) {
                for (VolumeMount vm : c.getVolumeMounts()) {
                    Volume v = Manifests.volume(spec, vm.getName());
                    used.add(v.getName());
                    if (vm.getMountPropagation() != null && !vm.getMountPropagation().equals("None")) {
                        assertThat(c.getSecurityContext().getPrivileged()).as("%s propagates mounts (%s), which "
                                + "needs a privileged container", c.getName(), vm.getMountPath()).isTrue();
                    }
                    if (v.getHostPath() != null) {
                        assertThat(HOST_PATHS).as("host path of volume %s", v.getName()).contains(v.getHostPath().getPath());
                    }
                }
            }
            assertThat(spec.getVolumes()).extracting(Volume::getName).as("volumes nobody mounts").allMatch(used::contains);
        }
        Container agent = Manifests.container(m.agent().getSpec().getTemplate().getSpec(), "twill-agent");
        assertThat(agent.getSecurityContext().getPrivileged()).isTrue();
        assertThat(propagation(agent, "/sys/fs/bpf")).as("a bpffs the agent mounts must reach the node").isEqualTo("Bidirectional");
        assertThat(propagation(agent, "/var/run/netns")).as("netns mounts made later must reach the agent").isEqualTo("HostToContainer");
        assertThat(m.operator().getSpec().getTemplate().getSpec().getVolumes()).noneMatch(v -> v.getHostPath() != null);
    }

    private String propagation(Container c, String hostPath) {
        PodSpec spec = m.agent().getSpec().getTemplate().getSpec();
        VolumeMount vm = c.getVolumeMounts().stream()
                .filter(x -> Manifests.volume(spec, x.getName()).getHostPath() != null
                        && Manifests.volume(spec, x.getName()).getHostPath().getPath().equals(hostPath))
                .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " does not mount " + hostPath));
        assertThat(vm.getMountPath()).as("%s is seen at the same path inside", hostPath).isEqualTo(hostPath);
        return vm.getMountPropagation();
    }

    @Test
    void theAgentPathsTheNodeSharesAreHostPathsAtTheSamePlace() {
        AgentConfig cfg = DeployedConfig.agent(m, tmp);
        PodSpec spec = m.agent().getSpec().getTemplate().getSpec();
        Container agent = Manifests.container(spec, "twill-agent");
        // twill-cni runs on the node and connects to the socket; pins and state must outlive the pod
        for (Path p : List.of(cfg.paths().socket(), cfg.paths().stateDir(), cfg.paths().pinRoot())) {
            VolumeMount vm = Manifests.mountHolding(agent, p.toString())
                    .orElseThrow(() -> new AssertionError("twill-agent mounts nothing holding " + p));
            Volume v = Manifests.volume(spec, vm.getName());
            assertThat(v.getHostPath()).as("%s is on the node", p).isNotNull();
            assertThat(v.getHostPath().getPath()).as("%s at the same path on the node", p).isEqualTo(vm.getMountPath());
        }
    }

    @Test
    void agentRunsOnEveryNodeAndTheOperatorBeforeTheNetwork() {
        var ds = m.agent().getSpec();
        assertThat(ds.getTemplate().getSpec().getTolerations()).as("the agent tolerates every taint")
                .anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null && t.getEffect() == null);
        assertThat(ds.getTemplate().getSpec().getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(ds.getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(ds.getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);

        var dep = m.operator().getSpec();
        assertThat(dep.getReplicas()).isEqualTo(2);
        PodSpec op = dep.getTemplate().getSpec();
        assertThat(op.getTolerations()).extracting(Toleration::getKey).contains("node-role.kubernetes.io/control-plane",
                "node.kubernetes.io/not-ready", "node.cloudprovider.kubernetes.io/uninitialized");
        var anti = op.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
        assertThat(anti).as("replicas prefer different nodes").anySatisfy(w -> {
            assertThat(w.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(dep.getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(w.getPodAffinityTerm().getLabelSelector().getMatchLabels());
        });
    }

    @Test
    void imagesAreTheOnesBuildImagesTagsAndThatE2eLoads() {
        String build = Repo.read("ci/kind/build-images.sh");
        String e2e = Repo.read("ci/kind/e2e.sh");
        String agentImage = Repo.find(build, "^AGENT_IMAGE=\\$\\{AGENT_IMAGE:-(\\S+)}$", "AGENT_IMAGE in build-images.sh");
        String opImage = Repo.find(build, "^OPERATOR_IMAGE=\\$\\{OPERATOR_IMAGE:-(\\S+)}$", "OPERATOR_IMAGE in build-images.sh");
        assertThat(Repo.find(e2e, "^AGENT_IMAGE=\\$\\{AGENT_IMAGE:-(\\S+)}$", "AGENT_IMAGE in e2e.sh")).isEqualTo(agentImage);
        assertThat(Repo.find(e2e, "^OPERATOR_IMAGE=\\$\\{OPERATOR_IMAGE:-(\\S+)}$", "OPERATOR_IMAGE in e2e.sh")).isEqualTo(opImage);
        assertThat(e2e).as("e2e.sh substitutes the manifests' image names").contains("image: " + agentImage + "\\$|")
                .contains("image: " + opImage + "\\$|");
        for (var w : List.of(Map.entry(m.agent().getSpec().getTemplate().getSpec(), agentImage),
                Map.entry(m.operator().getSpec().getTemplate().getSpec(), opImage))) {
            for (Container c : Manifests.allContainers(w.getKey())) {
                assertThat(c.getImage()).as("image of %s", c.getName()).isEqualTo(w.getValue());
                assertThat(c.getImagePullPolicy()).as("%s: images loaded into kind cannot be pulled", c.getName())
                        .isEqualTo("IfNotPresent");
            }
        }
    }

    @Test
    void theInitContainerInstallsTheImagesCniFilesForTheAgentsSocket() {
        AgentConfig cfg = DeployedConfig.agent(m, tmp);
        PodSpec spec = m.agent().getSpec().getTemplate().getSpec();
        Container init = Manifests.container(spec, "install-cni");
        Dockerfile image = Dockerfile.load("deploy/docker/agent.Dockerfile");
        List<String> cmd = init.getCommand();
        assertThat(cmd.getFirst()).isEqualTo(image.imagePathOf("cni-plugin/dist/install-cni.sh").orElseThrow());
        assertThat(flag(cmd, "--binary")).isEqualTo(image.imagePathOf("cni-plugin/target/bin/twill-cni").orElseThrow());
        assertThat(flag(cmd, "--conflist")).isEqualTo(image.imagePathOf("cni-plugin/dist/05-twill.conflist").orElseThrow());
        assertThat(flag(cmd, "--agent-socket")).as("the socket twill-cni is told to use").isEqualTo(cfg.paths().socket().toString());
        assertThat(hostPathBehind(spec, init, flag(cmd, "--bin-dir"))).isEqualTo("/opt/cni/bin");
        assertThat(hostPathBehind(spec, init, flag(cmd, "--conf-dir"))).isEqualTo("/etc/cni/net.d");
    }

    private static String flag(List<String> cmd, String name) {
        int i = cmd.indexOf(name);
        if (i < 0 || i + 1 >= cmd.size()) {
            fail("install-cni command has no %s value: %s", name, cmd);
        }
        return cmd.get(i + 1);
    }

    private static String hostPathBehind(PodSpec spec, Container c, String path) {
        VolumeMount vm = c.getVolumeMounts().stream().filter(x -> x.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError(c.getName() + " mounts nothing at " + path));
        return Manifests.volume(spec, vm.getName()).getHostPath().getPath();
    }
}
