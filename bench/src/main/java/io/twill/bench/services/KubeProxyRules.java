package io.twill.bench.services;

import io.twill.types.Ipv4Prefix;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The iptables rules kube-proxy's iptables mode writes for a {@link ServiceSet}, as one iptables-restore input (the
 * nat and filter tables), so the benchmark's peer pays what a kube-proxy node pays:
 *
 * <ul>
 *   <li>nat: PREROUTING and OUTPUT jump to KUBE-SERVICES, which holds one rule per service port ({@code -d VIP -p tcp
 *       --dport P -j KUBE-SVC-…}) and ends with the NodePort rule; each KUBE-SVC-… chain marks traffic from outside
 *       the cluster CIDR for masquerading, then picks an endpoint with {@code -m statistic --mode random
 *       --probability 1/(n-i)}; each KUBE-SEP-… chain marks hairpin traffic and DNATs to its endpoint;
 *       KUBE-POSTROUTING masquerades what was marked.</li>
 *   <li>filter: the chains every forwarded packet meets (KUBE-FORWARD drops conntrack INVALID, accepts marked and
 *       established traffic; the firewall, service and external-service chains for new connections, empty here as in
 *       a cluster where every Service has endpoints).</li>
 * </ul>
 *
 * Chain names are KUBE-SVC-/KUBE-SEP- and 16 base32 characters of a SHA-256 of the service port name, protocol (and
 * endpoint), the scheme kube-proxy uses. Written from the rule format kube-proxy produces (iptables-save of a
 * kube-proxy node); the order of the services is the set's.
 */
public final class KubeProxyRules {
    private static final String MARK_MASQ = "0x4000";
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private KubeProxyRules() {}

    /** iptables-restore input for {@code set}, pod CIDR {@code cluster}. */
    public static String render(ServiceSet set, Ipv4Prefix cluster) {
        StringBuilder chains = new StringBuilder(), rules = new StringBuilder();
        String backend = set.backend().getHostAddress();
        for (int i = 0; i < set.count(); i++) {
            String spn = ServiceSet.servicePortName(i), vip = ServiceSet.vip(i).getHostAddress();
            String svc = "KUBE-SVC-" + hash(spn + "tcp");
            chains.append(':').append(svc).append(" - [0:0]\n");
            rules.append(String.format(Locale.ROOT, "-A KUBE-SERVICES -d %s/32 -p tcp -m comment --comment \"%s cluster IP\" "
                    + "-m tcp --dport %d -j %s%n", vip, spn, ServiceSet.PORT, svc));
            rules.append(String.format(Locale.ROOT, "-A %s ! -s %s -d %s/32 -p tcp -m comment --comment \"%s cluster IP\" "
                    + "-m tcp --dport %d -j KUBE-MARK-MASQ%n", svc, cluster, vip, spn, ServiceSet.PORT));
            int n = set.ports().size();
            StringBuilder seps = new StringBuilder();
            for (int e = 0; e < n; e++) {
                String ep = backend + ":" + set.ports().get(e);
                String sep = "KUBE-SEP-" + hash(spn + "tcp" + ep);
                chains.append(':').append(sep).append(" - [0:0]\n");
                String pick = e < n - 1 ? String.format(Locale.ROOT, " -m statistic --mode random --probability %.10f",
                        1.0 / (n - e)) : "";
                rules.append(String.format(Locale.ROOT, "-A %s -m comment --comment \"%s -> %s\"%s -j %s%n", svc, spn, ep,
                        pick, sep));
                seps.append(String.format(Locale.ROOT, "-A %s -s %s/32 -m comment --comment %s -j KUBE-MARK-MASQ%n", sep,
                        backend, spn));
                seps.append(String.format(Locale.ROOT, "-A %s -p tcp -m comment --comment %s -m tcp -j DNAT "
                        + "--to-destination %s%n", sep, spn, ep));
            }
            rules.append(seps);
        }
        return "*nat\n"
                + ":PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                + ":KUBE-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n"
                + chains
                + "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"
                + "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"
                + "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n"
                + "-A KUBE-MARK-MASQ -j MARK --or-mark " + MARK_MASQ + "\n"
                + "-A KUBE-POSTROUTING -m mark ! --mark " + MARK_MASQ + "/" + MARK_MASQ + " -j RETURN\n"
                + "-A KUBE-POSTROUTING -j MARK --xor-mark " + MARK_MASQ + "\n"
                + "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully\n"
                + rules
                + "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in "
                + "this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n"
                + "COMMIT\n"
                + "*filter\n"
                + ":INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + ":KUBE-FORWARD - [0:0]\n:KUBE-PROXY-FIREWALL - [0:0]\n:KUBE-SERVICES - [0:0]\n"
                + ":KUBE-EXTERNAL-SERVICES - [0:0]\n:KUBE-NODEPORTS - [0:0]\n"
                + "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL\n"
                + "-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS\n"
                + "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES\n"
                + "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL\n"
                + "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n"
                + "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"
                + "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES\n"
                + "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL\n"
                + "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"
                + "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n"
                + "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark " + MARK_MASQ + "/"
                + MARK_MASQ + " -j ACCEPT\n"
                + "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate "
                + "RELATED,ESTABLISHED -j ACCEPT\n"
                + "COMMIT\n";
    }

    /** 16 base32 characters of the SHA-256 of {@code s}. */
    static String hash(String s) {
        byte[] d;
        try {
            d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder out = new StringBuilder(16);
        long bits = 0;
        int have = 0, i = 0;
        while (out.length() < 16) {
            if (have < 5) {
                bits = (bits << 8) | (d[i++] & 0xff);
                have += 8;
            }
            out.append(BASE32[(int) (bits >>> (have - 5)) & 31]);
            have -= 5;
        }
        return out.toString();
    }
}
