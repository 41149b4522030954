package io.twill.cni;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Consumer;

import static io.twill.cni.Inv.conf;
import static io.twill.cni.Inv.valid;
import static org.assertj.core.api.Assertions.assertThat;

/** Every bad input gets the right spec code and a message naming what is wrong, as spec JSON with exit 1. */
class CniEngineBadInputTest {
    record Case(String name, Inv inv, int code, String msg, Consumer<RecordingBackend> setup) {
        Case(String name, Inv inv, int code, String msg) {
            this(name, inv, code, msg, b -> { });
        }

        @Override
        public String toString() { return name; }
    }

    private static final String LOOPBACK_PREV = ",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"lo\","
            + "\"mac\":\"00:00:00:00:00:00\",\"sandbox\":\"" + Inv.NETNS + "\"}],\"ips\":[{\"interface\":0,\"address\":\"127.0.0.1/8\"}]}";

    static List<Case> cases() {
        return List.of(
                new Case("no CNI_COMMAND", valid("ADD", "1.0.0").env("CNI_COMMAND", null), 4, "CNI_COMMAND is not set"),
                new Case("unknown command", valid("FOO", "1.0.0"), 4, "CNI_COMMAND=FOO is not a CNI command"),
                new Case("lower-case command", valid("add", "1.0.0"), 4, "CNI_COMMAND=add is not a CNI command"),
                new Case("empty stdin", valid("ADD", "1.0.0").stdin(""), 6, "no network config on stdin"),
                new Case("truncated JSON", valid("ADD", "1.0.0").stdin("{\"cniVersion\":"), 6, "is not valid JSON"),
                new Case("JSON array", valid("ADD", "1.0.0").stdin("[1,2]"), 6, "is not a JSON object"),
                new Case("trailing garbage", valid("ADD", "1.0.0").stdin(conf("1.0.0", "") + " {}"), 6, "is not valid JSON"),
                new Case("no cniVersion", valid("ADD", "1.0.0").stdin("{\"name\":\"n\",\"type\":\"twill-cni\"}"), 7,
                        "cniVersion: missing required field"),
                new Case("numeric cniVersion", valid("ADD", "1.0.0").stdin("{\"cniVersion\":1,\"name\":\"n\",\"type\":\"t\"}"), 7,
                        "cniVersion: expected a string, got 1"),
                new Case("too old version", valid("ADD", "0.2.0"), 1, "incompatible CNI versions: config is \"0.2.0\""),
                new Case("future version", valid("ADD", "2.0.0"), 1, "incompatible CNI versions: config is \"2.0.0\""),
                new Case("no name", valid("ADD", "1.0.0").stdin("{\"cniVersion\":\"1.0.0\",\"type\":\"twill-cni\"}"), 7,
                        "name: missing required field"),
                new Case("bad name", valid("ADD", "1.0.0").stdin("{\"cniVersion\":\"1.0.0\",\"name\":\"-net\",\"type\":\"t\"}"), 7,
                        "name: \"-net\" must start with a letter or digit"),
                new Case("no type", valid("ADD", "1.0.0").stdin("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}"), 7,
                        "type: missing required field"),
                new Case("type with path", valid("ADD", "1.0.0").stdin("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"../bin/x\"}"), 7,
                        "type: \"../bin/x\" must not contain path separators"),
                new Case("delegated ipam", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"ipam\":{\"type\":\"host-local\"}")), 2,
                        "unsupported field ipam={\"type\":\"host-local\"}"),
                new Case("capabilities not an object", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"capabilities\":[]")), 7,
                        "capabilities: expected an object, got []"),
                new Case("capability not boolean", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"capabilities\":{\"portMappings\":\"yes\"}")), 7,
                        "capabilities.portMappings: expected true or false"),
                new Case("runtimeConfig not an object", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"runtimeConfig\":[1]")), 7,
                        "runtimeConfig: expected an object"),
                new Case("runtimeConfig.ips bad", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"runtimeConfig\":{\"ips\":[\"10.0.0.1\"]}")), 7,
                        "runtimeConfig.ips[0]: \"10.0.0.1\" is not in CIDR notation"),
                new Case("runtimeConfig.mac bad", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"runtimeConfig\":{\"mac\":\"02:00\"}")), 7,
                        "runtimeConfig.mac: \"02:00\" is not a MAC address"),
                new Case("args not an object", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"args\":\"x\"")), 7,
                        "args: expected an object, got \"x\""),
                new Case("dns.nameservers not a list", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"dns\":{\"nameservers\":\"8.8.8.8\"}")), 7,
                        "dns.nameservers: expected an array"),
                new Case("dns.nameservers bad IP", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"dns\":{\"nameservers\":[\"dns.google\"]}")), 7,
                        "dns.nameservers[0]: \"dns.google\" is not an IP address"),
                new Case("relative agentSocket", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"agentSocket\":\"twill.sock\"")), 7,
                        "agentSocket: \"twill.sock\" must be an absolute path"),
                new Case("mtu not a number", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"mtu\":\"1500\"")), 7,
                        "mtu: expected an integer from 0 to 65535, got \"1500\""),
                new Case("mtu too small", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"mtu\":100")), 7, "mtu: 100 is below the IPv4 minimum"),
                new Case("mtu too large", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"mtu\":70000")), 7,
                        "mtu: expected an integer from 0 to 65535, got 70000"),
                new Case("prevResult a string", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"prevResult\":\"x\"")), 7,
                        "prevResult: expected an object, got \"x\""),
                new Case("prevResult.ips not a list", valid("ADD", "1.0.0").stdin(conf("1.0.0", ",\"prevResult\":{\"ips\":{}}")), 7,
                        "prevResult.ips: expected an array"),
                new Case("prevResult address not CIDR", valid("ADD", "1.0.0").stdin(conf("1.0.0",
                        ",\"prevResult\":{\"ips\":[{\"address\":\"10.1.1.1\"}]}")), 7,
                        "prevResult.ips[0].address: \"10.1.1.1\" is not in CIDR notation"),
                new Case("prevResult interface index out of range", valid("ADD", "1.0.0").stdin(conf("1.0.0",
                        ",\"prevResult\":{\"interfaces\":[{\"name\":\"lo\"}],\"ips\":[{\"interface\":3,\"address\":\"10.1.1.1/8\"}]}")), 7,
                        "prevResult.ips[0].interface: index 3 but there are only 1 interfaces"),
                new Case("prevResult 0.4.0 bad ip version", valid("ADD", "0.4.0").stdin(conf("0.4.0",
                        ",\"prevResult\":{\"ips\":[{\"version\":\"6\",\"address\":\"10.1.1.1/8\"}]}")), 7,
                        "prevResult.ips[0].version: says IPv6 but address is 10.1.1.1/8"),
                new Case("prevResult interface without name", valid("ADD", "1.0.0").stdin(conf("1.0.0",
                        ",\"prevResult\":{\"interfaces\":[{\"mac\":\"02:00:00:00:00:01\"}]}")), 7,
                        "prevResult.interfaces[0].name: missing required field"),
                new Case("no CNI_CONTAINERID", valid("ADD", "1.0.0").env("CNI_CONTAINERID", null), 4,
                        "CNI_CONTAINERID is not set (ADD requires it)"),
                new Case("container id with slash", valid("ADD", "1.0.0").env("CNI_CONTAINERID", "ab/c"), 4,
                        "CNI_CONTAINERID=ab/c is invalid"),
                new Case("container id starting with _", valid("DEL", "1.0.0").env("CNI_CONTAINERID", "_abc"), 4,
                        "CNI_CONTAINERID=_abc is invalid"),
                new Case("no CNI_IFNAME", valid("DEL", "1.0.0").env("CNI_IFNAME", null), 4, "CNI_IFNAME is not set (DEL requires it)"),
                new Case("ifname too long", valid("ADD", "1.0.0").env("CNI_IFNAME", "abcdefghijklmnop"), 4,
                        "CNI_IFNAME=abcdefghijklmnop is invalid: it is longer than 15 bytes"),
                new Case("ifname with space", valid("ADD", "1.0.0").env("CNI_IFNAME", "eth 0"), 4, "CNI_IFNAME=eth 0 is invalid: it contains"),
                new Case("ifname dot", valid("ADD", "1.0.0").env("CNI_IFNAME", "."), 4, "CNI_IFNAME=. is invalid"),
                new Case("ifname with colon", valid("CHECK", "1.0.0").env("CNI_IFNAME", "eth0:1"), 4, "CNI_IFNAME=eth0:1 is invalid: it contains ':'"),
                new Case("no CNI_NETNS on ADD", valid("ADD", "1.0.0").env("CNI_NETNS", null), 4, "CNI_NETNS is not set (ADD requires it)"),
                new Case("relative netns", valid("ADD", "1.0.0").env("CNI_NETNS", "run/netns/x"), 4, "CNI_NETNS=run/netns/x is invalid: it must be an absolute path"),
                new Case("netns with ..", valid("ADD", "1.0.0").env("CNI_NETNS", "/run/netns/../x"), 4, "'.' and '..' are not allowed"),
                new Case("netns gone", valid("ADD", "1.0.0").env("CNI_NETNS", "/run/netns/twill-test-does-not-exist"), 3,
                        "network namespace /run/netns/twill-test-does-not-exist (CNI_NETNS) does not exist"),
                new Case("CNI_ARGS pair without =", valid("ADD", "1.0.0").env("CNI_ARGS", "FOO"), 4, "CNI_ARGS: invalid pair \"FOO\""),
                new Case("CNI_ARGS unknown key", valid("ADD", "1.0.0").env("CNI_ARGS", "FOO=1"), 4, "CNI_ARGS: unknown key \"FOO\""),
                new Case("CNI_ARGS bad IgnoreUnknown", valid("ADD", "1.0.0").env("CNI_ARGS", "IgnoreUnknown=maybe"), 4,
                        "CNI_ARGS: IgnoreUnknown=maybe is not a boolean"),
                new Case("CNI_ARGS bad IP", valid("ADD", "1.0.0").env("CNI_ARGS", "IP=999.1.1.1"), 4, "CNI_ARGS: IP=999.1.1.1 is invalid"),
                new Case("CNI_ARGS bad MAC", valid("ADD", "1.0.0").env("CNI_ARGS", "MAC=zz:00"), 4, "CNI_ARGS: MAC=zz:00 is not a MAC address"),
                new Case("CHECK on 0.3.1", valid("CHECK", "0.3.1"), 1, "config version 0.3.1 does not allow CHECK"),
                new Case("STATUS on 1.0.0", valid("STATUS", "1.0.0"), 1, "config version 1.0.0 does not allow STATUS"),
                new Case("GC on 0.4.0", valid("GC", "0.4.0"), 1, "config version 0.4.0 does not allow GC"),
                new Case("GC without valid attachments", valid("GC", "1.1.0"), 7,
                        "cni.dev/valid-attachments: missing (GC requires the list of valid attachments)"),
                new Case("GC attachment without ifname", valid("GC", "1.1.0").stdin(conf("1.1.0",
                        ",\"cni.dev/valid-attachments\":[{\"containerID\":\"c1\"}]")), 7,
                        "cni.dev/valid-attachments[0].ifname: missing required field"),
                new Case("GC without CNI_PATH", valid("GC", "1.1.0").env("CNI_PATH", null), 4, "CNI_PATH is not set (GC requires it)"),
                new Case("CHECK without prevResult", valid("CHECK", "1.0.0"), 7, "prevResult: missing (CHECK needs the result of the last ADD)"),
                new Case("second ADD", valid("ADD", "1.0.0"), 100, "container c1 already has interface eth0 on network twillnet",
                        b -> b.attached.add(new Attachment("twillnet", "c1", "eth0"))),
                new Case("ifname taken by an earlier plugin", valid("ADD", "1.0.0").env("CNI_IFNAME", "lo").stdin(conf("1.0.0", LOOPBACK_PREV)), 100,
                        "interface lo already exists in /proc/self/ns/net"),
                new Case("backend bug", valid("ADD", "1.0.0"), 999, "internal error in the Twill agent during ADD",
                        b -> b.before = r -> { throw new IllegalStateException("boom"); }),
                new Case("backend says try again", valid("ADD", "1.0.0"), 11, "pod CIDR exhausted",
                        b -> b.before = r -> { throw CniException.tryAgainLater("pod CIDR exhausted", "254 of 254 in use"); }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputGetsSpecError(Case c) throws Exception {
        RecordingBackend backend = new RecordingBackend();
        c.setup().accept(backend);
        CniResponse r = new CniEngine(backend).handle(c.inv().build());

        assertThat(r.exitCode()).as("exit code of %s", c).isEqualTo(1);
        JsonNode json = io.twill.cni.NetConfParser.MAPPER.readTree(r.stdout());
        assertThat(json.path("code").asInt()).as("code, answer was %s", r.stdoutText()).isEqualTo(c.code());
        assertThat(json.path("msg").asText()).contains(c.msg());
        assertThat(json.path("cniVersion").asText()).isIn(CniVersion.supported());
        assertThat(r.stdoutText()).endsWith("}\n");
    }

    @org.junit.jupiter.api.Test
    void thereAreAtLeastThirtyCases() {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(30);
        assertThat(cases().stream().map(Case::name).distinct().count()).isEqualTo(cases().size());
    }
}
