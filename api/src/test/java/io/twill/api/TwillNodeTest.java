package io.twill.api;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TwillNodeTest {

    @Test
    void roundTripsThroughJsonWithTheCrdShape() {
        TwillNode n = TwillNode.create("node-a", List.of(NodeAddress.internalIP("192.168.50.2")));
        n.setSpec(n.getSpec().withPodCIDRs(List.of("10.0.3.0/24")));
        n.setStatus(TwillNodeStatus.EMPTY
                .withCondition(TwillNodeCondition.of(TwillNodeCondition.READY, true, "AgentReady", "ok",
                        Instant.parse("2026-01-02T03:04:05.678Z")))
                .withIpam(new IpamStatus(3, 250))
                .withAgent(new AgentStatus("0.1.0", "2026-01-02T03:04:00Z")));

        String json = Serialization.asJson(n);

        assertThat(json).contains("\"apiVersion\":\"twill.io/v1alpha1\"", "\"kind\":\"TwillNode\"",
                "\"addresses\":[{\"type\":\"InternalIP\",\"ip\":\"192.168.50.2\"}]",
                "\"ipam\":{\"podCIDRs\":[\"10.0.3.0/24\"]}", "\"lastTransitionTime\":\"2026-01-02T03:04:05Z\"",
                "\"used\":3", "\"available\":250")
                // helper methods must not leak into the wire format
                .doesNotContain("internalIP\":", "isTrue", "\"true\"", "nodeName", "lastTransition\"");
        TwillNode back = Serialization.unmarshal(json, TwillNode.class);
        assertThat(back.getSpec()).isEqualTo(n.getSpec());
        assertThat(back.getStatus()).isEqualTo(n.getStatus());
        assertThat(back.nodeName()).isEqualTo("node-a");
        assertThat(back.getSpec().internalIP()).contains("192.168.50.2");
    }

    @Test
    void toleratesUnknownAndMissingFields() {
        String json = """
                {"apiVersion":"twill.io/v1alpha1","kind":"TwillNode","metadata":{"name":"n1"},
                 "spec":{"futureField":{"x":1},"addresses":[{"type":"InternalIP","ip":"10.1.1.1","zone":"a"}]},
                 "status":{"conditions":[{"type":"Ready","status":"True","observedGeneration":4}],"newThing":true}}
                """;
        TwillNode n = Serialization.unmarshal(json, TwillNode.class);
        assertThat(n.getSpec().podCIDRs()).isEmpty();
        assertThat(n.getSpec().addresses()).containsExactly(NodeAddress.internalIP("10.1.1.1"));
        assertThat(n.getStatus().condition("Ready")).get().extracting(TwillNodeCondition::isTrue).isEqualTo(true);
        assertThat(n.getStatus().ipam()).isNull();

        TwillNode bare = Serialization.unmarshal("{\"apiVersion\":\"twill.io/v1alpha1\",\"kind\":\"TwillNode\","
                + "\"metadata\":{\"name\":\"n2\"}}", TwillNode.class);
        assertThat(bare.getSpec()).isEqualTo(TwillNodeSpec.EMPTY);
        assertThat(bare.getStatus().conditions()).isEmpty();
        assertThat(bare.getSpec().internalIP()).isEmpty();
    }

    @Test
    void podCidrsOfTheWrongJsonTypeAreReadAsTextForTheOperatorToRefuse() {
        String base = "{\"apiVersion\":\"twill.io/v1alpha1\",\"kind\":\"TwillNode\",\"metadata\":{\"name\":\"n\"},";
        assertThat(Serialization.unmarshal(base + "\"spec\":{\"ipam\":{\"podCIDRs\":\"10.0.0.0/24\"}}}", TwillNode.class)
                .getSpec().podCIDRs()).containsExactly("10.0.0.0/24");
        assertThat(Serialization.unmarshal(base + "\"spec\":{\"ipam\":{\"podCIDRs\":{\"oops\":1}}}}", TwillNode.class)
                .getSpec().podCIDRs()).containsExactly("{\"oops\":1}");
        assertThat(Serialization.unmarshal(base + "\"spec\":{\"ipam\":{\"podCIDRs\":[7,null,\"10.0.1.0/24\"]}}}",
                TwillNode.class).getSpec().podCIDRs()).containsExactly("7", "10.0.1.0/24");
        assertThat(Serialization.unmarshal(base + "\"spec\":{\"ipam\":{\"podCIDRs\":null}}}", TwillNode.class)
                .getSpec().podCIDRs()).isEmpty();
    }

    @Test
    void withConditionReplacesByTypeAndKeepsTransitionTimeWhenStatusUnchanged() {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Instant t1 = Instant.parse("2026-01-01T00:10:00Z");
        TwillNodeStatus s = TwillNodeStatus.EMPTY
                .withCondition(TwillNodeCondition.of("Ready", true, "AgentReady", "a", t0))
                .withCondition(TwillNodeCondition.of("PodCIDRAllocated", false, "PodCIDRExhausted", "full", t0));

        TwillNodeStatus same = s.withCondition(TwillNodeCondition.of("PodCIDRAllocated", false, "PodCIDRExhausted",
                "still full", t1));
        TwillNodeStatus flipped = s.withCondition(TwillNodeCondition.of("PodCIDRAllocated", true,
                "PodCIDRAllocated", "10.0.0.0/24", t1));

        assertThat(same.conditions()).hasSize(2);
        assertThat(same.condition("PodCIDRAllocated").orElseThrow().lastTransitionTime()).isEqualTo(t0.toString());
        assertThat(same.condition("PodCIDRAllocated").orElseThrow().message()).isEqualTo("still full");
        assertThat(flipped.condition("PodCIDRAllocated").orElseThrow().lastTransition()).contains(t1);
        assertThat(flipped.condition("Ready")).isEqualTo(s.condition("Ready"));
    }
}
