package io.twill.cni.result;

import com.fasterxml.jackson.databind.JsonNode;
import io.twill.cni.CniException;
import io.twill.cni.CniVersion;
import io.twill.cni.NetConfParser;
import io.twill.cni.RecordingBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The version-neutral result printed in each supported version, field by field, and parsed back. */
class ResultCodecTest {
    private static final CniResult RESULT = RecordingBackend.resultFor("0123456789abcdef", "/run/netns/pod1");

    private static JsonNode print(CniVersion v) {
        return ResultCodec.toJson(RESULT, v);
    }

    @ParameterizedTest
    @EnumSource(value = CniVersion.class, names = {"V0_3_0", "V0_3_1", "V0_4_0"})
    void pre100ResultsCarryIpVersionAndNo110Attributes(CniVersion v) {
        JsonNode j = print(v);
        assertThat(j.path("cniVersion").asText()).isEqualTo(v.text());
        assertThat(j.path("interfaces")).hasSize(2);
        JsonNode host = j.path("interfaces").get(0);
        assertThat(host.path("name").asText()).isEqualTo("lxc01234567");
        assertThat(host.path("mac").asText()).isEqualTo("02:00:00:00:00:01");
        assertThat(host.has("sandbox")).isFalse();
        assertThat(host.has("mtu")).isFalse();
        JsonNode pod = j.path("interfaces").get(1);
        assertThat(pod.path("sandbox").asText()).isEqualTo("/run/netns/pod1");
        assertThat(pod.has("mtu")).isFalse();

        JsonNode ip4 = j.path("ips").get(0);
        assertThat(ip4.path("version").asText()).isEqualTo("4");
        assertThat(ip4.path("interface").asInt()).isEqualTo(1);
        assertThat(ip4.path("address").asText()).isEqualTo("10.0.1.5/24");
        assertThat(ip4.path("gateway").asText()).isEqualTo("10.0.1.1");
        JsonNode ip6 = j.path("ips").get(1);
        assertThat(ip6.path("version").asText()).isEqualTo("6");
        assertThat(ip6.path("address").asText()).isEqualTo("fd00:1::5/64");
        assertThat(ip6.path("gateway").asText()).isEqualTo("fd00:1::1");

        assertThat(j.path("routes").get(0).path("dst").asText()).isEqualTo("0.0.0.0/0");
        assertThat(j.path("routes").get(0).path("gw").asText()).isEqualTo("10.0.1.1");
        JsonNode svc = j.path("routes").get(1);
        assertThat(svc.path("dst").asText()).isEqualTo("10.96.0.0/12");
        assertThat(svc.has("gw")).isFalse();
        assertThat(svc.has("mtu") || svc.has("advmss") || svc.has("priority") || svc.has("table") || svc.has("scope")).isFalse();

        assertThat(j.path("dns").path("nameservers").get(0).asText()).isEqualTo("10.96.0.10");
        assertThat(j.path("dns").path("domain").asText()).isEqualTo("cluster.local");
        assertThat(j.path("dns").path("search").get(0).asText()).isEqualTo("svc.cluster.local");
        assertThat(j.path("dns").path("options").get(0).asText()).isEqualTo("ndots:5");
    }

    @Test
    void v100DropsIpVersionAndKeeps110AttributesOut() {
        JsonNode j = print(CniVersion.V1_0_0);
        assertThat(j.path("cniVersion").asText()).isEqualTo("1.0.0");
        assertThat(j.path("ips").get(0).has("version")).isFalse();
        assertThat(j.path("ips").get(0).path("interface").asInt()).isEqualTo(1);
        assertThat(j.path("interfaces").get(1).has("mtu")).isFalse();
        assertThat(j.path("routes").get(1).has("mtu")).isFalse();
        assertThat(j.path("routes").get(1).has("table")).isFalse();
    }

    @Test
    void v110CarriesInterfaceMtuAndRouteAttributes() {
        JsonNode j = print(CniVersion.V1_1_0);
        assertThat(j.path("cniVersion").asText()).isEqualTo("1.1.0");
        assertThat(j.path("ips").get(1).has("version")).isFalse();
        assertThat(j.path("interfaces").get(0).path("mtu").asInt()).isEqualTo(1450);
        assertThat(j.path("interfaces").get(1).path("mtu").asInt()).isEqualTo(1450);
        JsonNode svc = j.path("routes").get(1);
        assertThat(svc.path("mtu").asInt()).isEqualTo(1400);
        assertThat(svc.path("advmss").asInt()).isEqualTo(1360);
        assertThat(svc.path("priority").asInt()).isEqualTo(100);
        assertThat(svc.path("table").asInt()).isEqualTo(254);
        assertThat(svc.path("scope").asInt()).isZero();
        assertThat(j.path("routes").get(0).has("mtu")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(CniVersion.class)
    void parsesWhatItPrints(CniVersion v) {
        CniResult back = ResultCodec.fromJson(print(v), v, "prevResult");
        if (v.hasExtendedAttributes()) {
            assertThat(back).isEqualTo(RESULT);
        } else {
            assertThat(back.interfaces()).extracting(CniInterface::name, CniInterface::mac, CniInterface::sandbox)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("lxc01234567", "02:00:00:00:00:01", null),
                            org.assertj.core.groups.Tuple.tuple("eth0", "02:00:00:00:00:02", "/run/netns/pod1"));
            assertThat(back.ips()).isEqualTo(RESULT.ips());
            assertThat(back.routes()).extracting(Route::dst, Route::gw)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(RESULT.routes().get(0).dst(), RESULT.routes().get(0).gw()),
                            org.assertj.core.groups.Tuple.tuple(RESULT.routes().get(1).dst(), null));
            assertThat(back.dns()).isEqualTo(RESULT.dns());
        }
    }

    @Test
    void emptyPartsAreLeftOut() {
        JsonNode j = ResultCodec.toJson(CniResult.EMPTY, CniVersion.V1_0_0);
        assertThat(j.toString()).isEqualTo("{\"cniVersion\":\"1.0.0\"}");
    }

    @Test
    void mergeShiftsInterfaceIndexesPastEarlierPlugins() {
        CniResult loopback = new CniResult(List.of(CniInterface.sandbox("lo", "00:00:00:00:00:00", "/run/netns/pod1")),
                List.of(IpConfig.of(IpPrefix.parse("127.0.0.1/8"), null, 0), IpConfig.of(IpPrefix.parse("::1/128"), null, 0)),
                List.of(), new Dns(List.of("1.1.1.1"), "example.org", List.of(), List.of()));
        CniResult merged = RESULT.mergedOnto(loopback);
        assertThat(merged.interfaces()).extracting(CniInterface::name).containsExactly("lo", "lxc01234567", "eth0");
        assertThat(merged.ips()).extracting(IpConfig::interfaceIndex).containsExactly(0, 0, 2, 2);
        assertThat(merged.ips()).extracting(i -> i.address().toString())
                .containsExactly("127.0.0.1/8", "::1/128", "10.0.1.5/24", "fd00:1::5/64");
        assertThat(merged.dns().nameservers()).containsExactly("10.96.0.10");
        assertThat(merged.dns().domain()).isEqualTo("cluster.local");
        assertThat(merged.routes()).hasSize(2);
    }

    @Test
    void errorAndVersionStructures() {
        assertThat(ResultCodec.errorJson(CniVersion.V0_4_0, new CniException(7, "bad", "")).toString())
                .isEqualTo("{\"cniVersion\":\"0.4.0\",\"code\":7,\"msg\":\"bad\"}");
        assertThat(ResultCodec.errorJson(CniVersion.V1_0_0, new CniException(11, "later", "why")).toString())
                .isEqualTo("{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"later\",\"details\":\"why\"}");
        assertThat(ResultCodec.versionJson(CniVersion.V1_0_0).toString())
                .isEqualTo("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}");
    }

    @Test
    void ipv6IsPrintedInCanonicalForm() {
        assertThat(IpPrefix.parse("FD00:0:0:0:0:0:0:5/64").toString()).isEqualTo("fd00::5/64");
        assertThat(IpPrefix.parse("::1/128").toString()).isEqualTo("::1/128");
        assertThat(IpPrefix.parse("2001:db8:0:0:1:0:0:1/64").toString()).isEqualTo("2001:db8::1:0:0:1/64");
        assertThat(IpPrefix.parse("::/0").toString()).isEqualTo("::/0");
        assertThat(IpPrefix.parse("2001:db8:1:1:1:1:0:1/64").toString()).isEqualTo("2001:db8:1:1:1:1:0:1/64");
    }

    @Test
    void prefixParsingRejectsWhatIsNotCidr() {
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.1/33")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> IpPrefix.parse("example.com/24")).hasMessageContaining("is not an IP address");
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.1/")).hasMessageContaining("no valid prefix length");
    }

    @Test
    void parsedPrevResultMustBeConsistent() throws Exception {
        JsonNode bad = NetConfParser.MAPPER.readTree("{\"ips\":[{\"address\":\"10.0.0.5/24\",\"gateway\":\"fd00::1\"}]}");
        assertThatThrownBy(() -> ResultCodec.fromJson(bad, CniVersion.V1_0_0, "prevResult"))
                .isInstanceOf(CniException.class)
                .hasMessageContaining("prevResult.ips[0]: gateway fd00::1 is not of the same family as 10.0.0.5/24");
    }
}
