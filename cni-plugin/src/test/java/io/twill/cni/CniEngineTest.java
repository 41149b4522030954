package io.twill.cni;

import com.fasterxml.jackson.databind.JsonNode;
import io.twill.cni.result.Ips;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.twill.cni.Inv.conf;
import static io.twill.cni.Inv.valid;
import static org.assertj.core.api.Assertions.assertThat;

/** What the engine passes on to the backend and prints, for each verb. */
class CniEngineTest {
    private final RecordingBackend backend = new RecordingBackend();
    private final List<CniCall> calls = new ArrayList<>();
    private final CniEngine engine = new CniEngine(backend, calls::add);

    private static JsonNode json(CniResponse r) throws Exception {
        return NetConfParser.MAPPER.readTree(r.stdout());
    }

    @Test
    void addPassesTypedRequestAndPrintsResultInConfigVersion() throws Exception {
        CniResponse r = engine.handle(valid("ADD", "0.4.0")
                .env("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_UID=u-1;"
                        + "K8S_POD_INFRA_CONTAINER_ID=c1;IP=10.0.1.77,fd00:1::77;MAC=02:AA:00:00:00:77;EXTRA=x")
                .stdin(conf("0.4.0", ",\"agentSocket\":\"/run/tw/a.sock\",\"mtu\":1400,\"capabilities\":{\"portMappings\":true,\"ips\":true},"
                        + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}],"
                        + "\"ips\":[\"10.0.1.78/24\"],\"mac\":\"02:00:00:00:00:78\"},\"args\":{\"cni\":{\"labels\":[]}},"
                        + "\"dns\":{\"nameservers\":[\"10.96.0.10\"]},\"somethingElse\":{\"kept\":true}"))
                .build());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        AddRequest req = backend.last(AddRequest.class);
        assertThat(req.attachment()).isEqualTo(new Attachment("twillnet", "c1", "eth0"));
        assertThat(req.netns()).isEqualTo(Path.of(Inv.NETNS));
        assertThat(req.args().podNamespace()).isEqualTo("default");
        assertThat(req.args().podName()).isEqualTo("web-0");
        assertThat(req.args().podUid()).isEqualTo("u-1");
        assertThat(req.args().infraContainerId()).isEqualTo("c1");
        assertThat(req.args().ips()).containsExactly(Ips.parseAddress("10.0.1.77"), Ips.parseAddress("fd00:1::77"));
        assertThat(req.args().mac()).isEqualTo("02:aa:00:00:00:77");
        assertThat(req.args().pairs()).containsEntry("EXTRA", "x");
        assertThat(req.args().podRef()).contains("default/web-0");
        NetConf c = req.conf();
        assertThat(c.cniVersion()).isEqualTo(CniVersion.V0_4_0);
        assertThat(c.type()).isEqualTo("twill-cni");
        assertThat(c.agentSocket()).isEqualTo(Path.of("/run/tw/a.sock"));
        assertThat(c.mtu()).isEqualTo(1400);
        assertThat(c.capability("portMappings")).isTrue();
        assertThat(c.capability("mac")).isFalse();
        assertThat(c.runtimeConfig().path("portMappings").get(0).path("hostPort").asInt()).isEqualTo(8080);
        assertThat(c.runtimeIps()).extracting(Object::toString).containsExactly("10.0.1.78/24");
        assertThat(c.runtimeMac()).isEqualTo("02:00:00:00:00:78");
        assertThat(c.args().path("cni").has("labels")).isTrue();
        assertThat(c.dns().nameservers()).containsExactly("10.96.0.10");
        assertThat(c.prevResult()).isNull();
        assertThat(c.field("somethingElse").path("kept").asBoolean()).isTrue();

        JsonNode out = json(r);
        assertThat(out.path("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(out.path("ips").get(0).path("version").asText()).isEqualTo("4");
        assertThat(out.path("interfaces").get(1).path("sandbox").asText()).isEqualTo(Inv.NETNS);
        assertThat(calls).singleElement().satisfies(call -> {
            assertThat(call.command()).isEqualTo(CniCommand.ADD);
            assertThat(call.outcome()).isEqualTo("ok");
        });
    }

    @Test
    void addChainedAfterLoopbackMergesIntoPrevResult() throws Exception {
        String prev = ",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"lo\",\"mac\":\"00:00:00:00:00:00\","
                + "\"sandbox\":\"" + Inv.NETNS + "\"}],\"ips\":[{\"interface\":0,\"address\":\"127.0.0.1/8\"},"
                + "{\"interface\":0,\"address\":\"::1/128\"}],\"dns\":{}}";
        CniResponse r = engine.handle(valid("ADD", "1.0.0").stdin(conf("1.0.0", prev)).build());

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(backend.last(AddRequest.class).conf().prevResult().interfaces()).hasSize(1);
        JsonNode out = json(r);
        assertThat(out.path("interfaces")).extracting(n -> n.path("name").asText()).containsExactly("lo", "lxcc1", "eth0");
        assertThat(out.path("ips")).extracting(n -> n.path("interface").asInt()).containsExactly(0, 0, 2, 2);
        assertThat(out.path("ips").get(2).path("address").asText()).isEqualTo("10.0.1.5/24");
    }

    @Test
    void delWorksWithBareEnvironmentAndVanishedNetns() {
        backend.attached.add(new Attachment("twillnet", "c1", "eth0"));
        CniResponse r = engine.handle(Inv.of("DEL", conf("1.0.0", ""))
                .env("CNI_CONTAINERID", "c1").env("CNI_IFNAME", "eth0").env("CNI_NETNS", "/run/netns/twill-gone-xyz").build());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).isEmpty();
        DelRequest d = backend.last(DelRequest.class);
        assertThat(d.netns()).isNull();
        assertThat(d.queued()).isFalse();
        assertThat(d.args()).isEqualTo(CniArgs.EMPTY);
        assertThat(backend.attached).isEmpty();
        // DEL again: nothing left, still fine
        assertThat(engine.handle(Inv.of("DEL", conf("1.0.0", "")).env("CNI_CONTAINERID", "c1").env("CNI_IFNAME", "eth0").build())
                .exitCode()).isZero();
    }

    @Test
    void checkGetsThePrevResultAndErrorsPassThrough() throws Exception {
        String prev = ",\"prevResult\":" + io.twill.cni.result.ResultCodec.toJson(
                RecordingBackend.resultFor("c1", Inv.NETNS), CniVersion.V1_0_0);
        CniResponse missing = engine.handle(valid("CHECK", "1.0.0").stdin(conf("1.0.0", prev)).build());
        assertThat(json(missing).path("code").asInt()).isEqualTo(CniException.UNKNOWN_CONTAINER);
        assertThat(backend.last(CheckRequest.class).expected().ips()).hasSize(2);

        backend.attached.add(new Attachment("twillnet", "c1", "eth0"));
        CniResponse ok = engine.handle(valid("CHECK", "1.0.0").stdin(conf("1.0.0", prev)).build());
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.stdout()).isEmpty();
    }

    @Test
    void statusAndGcOn110() {
        CniResponse status = engine.handle(Inv.of("STATUS", conf("1.1.0", "")).build());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(backend.last(StatusRequest.class).conf().cniVersion()).isEqualTo(CniVersion.V1_1_0);

        backend.attached.add(new Attachment("twillnet", "keep", "eth0"));
        backend.attached.add(new Attachment("twillnet", "stale", "eth0"));
        CniResponse gc = engine.handle(Inv.of("GC", conf("1.1.0", ",\"cni.dev/valid-attachments\":[{\"containerID\":\"keep\",\"ifname\":\"eth0\"}]"))
                .env("CNI_PATH", "/opt/cni/bin").build());
        assertThat(gc.exitCode()).as(gc.toString()).isZero();
        assertThat(backend.last(GcRequest.class).validAttachments()).containsExactly(new Attachment("twillnet", "keep", "eth0"));
        assertThat(backend.attached).containsExactly(new Attachment("twillnet", "keep", "eth0"));
    }

    @Test
    void statusReportsPluginNotAvailable() throws Exception {
        backend.before = r -> { throw CniException.pluginNotAvailable("no pod CIDR yet", "waiting for the operator"); };
        CniResponse r = engine.handle(Inv.of("STATUS", conf("1.1.0", "")).build());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(json(r).path("code").asInt()).isEqualTo(50);
        assertThat(json(r).path("details").asText()).isEqualTo("waiting for the operator");
        assertThat(calls).singleElement().extracting(CniCall::outcome).isEqualTo("error_50");
    }

    @Test
    void versionAnswersInTheAskedVersionOrTheLatest() throws Exception {
        assertThat(json(engine.handle(Inv.of("VERSION", "{\"cniVersion\":\"0.3.1\"}").build())).path("cniVersion").asText())
                .isEqualTo("0.3.1");
        JsonNode any = json(engine.handle(Inv.of("VERSION", "").build()));
        assertThat(any.path("cniVersion").asText()).isEqualTo("1.1.0");
        assertThat(any.path("supportedVersions")).extracting(JsonNode::asText).containsExactly("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
        assertThat(backend.requests).isEmpty();
    }

    @Test
    void aListenerThatThrowsDoesNotBreakTheCall() {
        CniEngine e = new CniEngine(backend, call -> { throw new IllegalStateException("metrics down"); });
        assertThat(e.handle(valid("ADD", "1.0.0").build()).exitCode()).isZero();
    }
}
