package io.twill.maps;

import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.ct.CtMap;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbService;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;
import io.twill.maps.snat.SnatMap;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static io.twill.maps.DatapathCodesMatchHeadersTest.constants;
import static org.assertj.core.api.Assertions.assertThat;

/** The flag, scope, state and direction constants of the ct, lb and snat records carry the numbers of the C headers. */
class ServiceCodesMatchHeadersTest {

    @Test
    void connectionTrackingFlags() throws IOException {
        Map<String, Integer> c = constants("ct.h");
        assertThat(c.get("CT_KEY_SERVICE")).isEqualTo(CtKey.F_SERVICE);
        assertThat(c.get("CT_F_INITIATOR_B")).isEqualTo(CtEntry.F_INITIATOR_B);
        assertThat(c.get("CT_F_SEEN_REPLY")).isEqualTo(CtEntry.F_SEEN_REPLY);
        assertThat(c.get("CT_F_FROM_STACK")).isEqualTo(CtEntry.F_FROM_STACK);
        assertThat(c.get("CT_F_NODEPORT")).isEqualTo(CtEntry.F_NODEPORT);
        assertThat(c.get("CT_F_CLOSING")).isEqualTo(CtEntry.F_CLOSING);
        assertThat(c.get("CT_F_FIN_FWD")).isEqualTo(CtEntry.F_FIN_FWD);
        assertThat(c.get("CT_F_FIN_REV")).isEqualTo(CtEntry.F_FIN_REV);
        int all = c.entrySet().stream().filter(e -> e.getKey().startsWith("CT_F_")).mapToInt(Map.Entry::getValue)
                .reduce(0, (a, b) -> a | b);
        assertThat(all).as("KNOWN_FLAGS covers every CT_F_ bit").isEqualTo(CtEntry.KNOWN_FLAGS);
        assertThat(c.get("CT_MAP_SIZE")).isEqualTo(CtMap.DEFAULT_MAX_ENTRIES);
    }

    @Test
    void serviceScopesFlagsAndBackendStates() throws IOException {
        Map<String, Integer> c = constants("lb.h");
        assertThat(c.get("LB_SCOPE_ANY")).isEqualTo(LbService.SCOPE_ANY);
        assertThat(c.get("LB_SCOPE_EXTERNAL")).isEqualTo(LbService.SCOPE_EXTERNAL);
        assertThat(c.get("LB_F_CLUSTER_IP")).isEqualTo(LbService.F_CLUSTER_IP);
        assertThat(c.get("LB_F_NODEPORT")).isEqualTo(LbService.F_NODEPORT);
        assertThat(c.get("LB_F_EXTERNAL_IP")).isEqualTo(LbService.F_EXTERNAL_IP);
        assertThat(c.get("LB_F_AFFINITY")).isEqualTo(LbService.F_AFFINITY);
        assertThat(c.get("LB_F_LOCAL")).isEqualTo(LbService.F_LOCAL);
        int all = c.entrySet().stream().filter(e -> e.getKey().startsWith("LB_F_")).mapToInt(Map.Entry::getValue)
                .reduce(0, (a, b) -> a | b);
        assertThat(all).as("KNOWN_FLAGS covers every LB_F_ bit").isEqualTo(LbService.KNOWN_FLAGS);
        assertThat(c.get("LB_BE_ACTIVE")).isEqualTo(LbBackend.STATE_ACTIVE);
        assertThat(c.get("LB_BE_TERMINATING")).isEqualTo(LbBackend.STATE_TERMINATING);
    }

    @Test
    void natDirectionsAndFlags() throws IOException {
        Map<String, Integer> c = constants("nat.h");
        assertThat(c.get("SNAT_OUT")).isEqualTo(SnatKey.DIR_OUT);
        assertThat(c.get("SNAT_IN")).isEqualTo(SnatKey.DIR_IN);
        assertThat(c.get("SNAT_F_NODEPORT")).isEqualTo(SnatEntry.F_NODEPORT);
        assertThat(c.get("SNAT_MAP_SIZE")).isEqualTo(SnatMap.DEFAULT_MAX_ENTRIES);
    }
}
