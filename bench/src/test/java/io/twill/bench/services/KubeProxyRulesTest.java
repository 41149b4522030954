package io.twill.bench.services;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Services of the benchmark and the kube-proxy-style rules written for them. */
class KubeProxyRulesTest {
    private static final ServiceSet SET = new ServiceSet(3, Ipv4.parse("10.218.1.3"), List.of(8080, 8081, 8082));

    @Test
    void oneKubeServicesRulePerServiceThenTheNodePortRule() {
        String rules = KubeProxyRules.render(SET, Ipv4Prefix.parse("10.218.0.0/16"));
        List<String> services = rules.lines().filter(l -> l.startsWith("-A KUBE-SERVICES ")).toList();
        assertThat(services).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(services.get(i)).startsWith("-A KUBE-SERVICES -d 10.96.0." + (i + 1) + "/32 -p tcp ")
                    .contains("-m tcp --dport 80 -j KUBE-SVC-");
        }
        assertThat(services.getLast()).contains("-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS");
        assertThat(rules).contains("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n",
                "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n", "*filter\n");
        assertThat(rules.lines().filter(l -> l.equals("COMMIT"))).hasSize(2);
    }

    @Test
    void eachServiceChoosesAmongItsEndpointsByProbabilityAndDnats() {
        String rules = KubeProxyRules.render(SET, Ipv4Prefix.parse("10.218.0.0/16"));
        Matcher m = Pattern.compile("-A KUBE-SERVICES -d 10\\.96\\.0\\.2/32 .* -j (KUBE-SVC-[A-Z2-7]{16})").matcher(rules);
        assertThat(m.find()).isTrue();
        String svc = m.group(1);
        List<String> chain = rules.lines().filter(l -> l.startsWith("-A " + svc + " ")).toList();
        assertThat(chain).hasSize(4);
        assertThat(chain.get(0)).contains("! -s 10.218.0.0/16 -d 10.96.0.2/32").endsWith("-j KUBE-MARK-MASQ");
        assertThat(chain.get(1)).contains("--probability 0.3333333333 -j KUBE-SEP-");
        assertThat(chain.get(2)).contains("--probability 0.5000000000 -j KUBE-SEP-");
        assertThat(chain.get(3)).doesNotContain("statistic").contains("-j KUBE-SEP-");
        for (int e = 1; e <= 3; e++) {
            String sep = chain.get(e).substring(chain.get(e).lastIndexOf(' ') + 1);
            assertThat(rules).contains(":" + sep + " - [0:0]\n")
                    .contains("-A " + sep + " -s 10.218.1.3/32 ")
                    .contains("-A " + sep + " -p tcp -m comment --comment bench/svc-00001:http -m tcp -j DNAT "
                            + "--to-destination 10.218.1.3:" + (8079 + e) + "\n");
        }
    }

    @Test
    void chainNamesAreDistinctAndFitIptables() {
        String rules = KubeProxyRules.render(new ServiceSet(2_000, Ipv4.parse("10.218.1.3"), List.of(8080, 8081, 8082)),
                Ipv4Prefix.parse("10.218.0.0/16"));
        Set<String> names = new HashSet<>();
        rules.lines().filter(l -> l.startsWith(":KUBE-SVC-") || l.startsWith(":KUBE-SEP-")).forEach(l -> {
            String name = l.substring(1, l.indexOf(' '));
            assertThat(name).hasSizeLessThanOrEqualTo(28).matches("KUBE-(SVC|SEP)-[A-Z2-7]{16}");
            assertThat(names.add(name)).as("%s declared once", name).isTrue();
        });
        assertThat(names).hasSize(2_000 * 4);
        assertThat(KubeProxyRules.hash("bench/svc-00000:httptcp")).isEqualTo(KubeProxyRules.hash("bench/svc-00000:httptcp"))
                .isNotEqualTo(KubeProxyRules.hash("bench/svc-00001:httptcp"));
    }

    @Test
    void clusterIpsAndTheTargetInTheMiddle() {
        assertThat(ServiceSet.vip(0)).isEqualTo(Ipv4.parse("10.96.0.1"));
        assertThat(ServiceSet.vip(10_000)).isEqualTo(Ipv4.parse("10.96.39.17"));
        for (int i : List.of(0, 1, 255, 9_999, 59_999)) assertThat(ServiceSet.indexOf(ServiceSet.vip(i))).isEqualTo(i);
        assertThat(ServiceSet.indexOf(Ipv4.parse("10.96.0.0"))).isEqualTo(-1);
        assertThat(new ServiceSet(1, Ipv4.parse("10.0.0.1"), List.of(80)).target()).isZero();
        assertThat(new ServiceSet(10_000, Ipv4.parse("10.0.0.1"), List.of(80)).target()).isEqualTo(5_000);
        assertThatThrownBy(() -> new ServiceSet(0, Ipv4.parse("10.0.0.1"), List.of(80))).hasMessageContaining("--count");
        assertThatThrownBy(() -> new ServiceSet(1, Ipv4.parse("10.0.0.1"), List.of())).hasMessageContaining("--ports");
    }
}
