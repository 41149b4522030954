package io.twill.cni;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The CNI spec versions Twill speaks. Results are printed in the version the network config asks for.
 * 0.3.0, 0.3.1 and 0.4.0 share one result format (with {@code ips[].version}); 1.0.0 dropped that field;
 * 1.1.0 added STATUS, GC and the interface/route attributes (mtu, socketPath, pciID, advmss, priority, table, scope).
 */
public enum CniVersion {
    V0_3_0("0.3.0"),
    V0_3_1("0.3.1"),
    V0_4_0("0.4.0"),
    V1_0_0("1.0.0"),
    V1_1_0("1.1.0");

    /** The newest version; used for answers when the config names none Twill knows. */
    public static final CniVersion LATEST = V1_1_0;

    private final String text;

    CniVersion(String text) {
        this.text = text;
    }

    /** Parses an exact version string ("1.0.0"); empty for anything Twill does not support. */
    public static Optional<CniVersion> parse(String text) {
        for (CniVersion v : values()) {
            if (v.text.equals(text)) return Optional.of(v);
        }
        return Optional.empty();
    }

    /** The supported versions as strings, oldest first, as VERSION prints them. */
    public static List<String> supported() {
        return Arrays.stream(values()).map(CniVersion::text).toList();
    }

    public String text() { return text; }

    public boolean atLeast(CniVersion other) { return compareTo(other) >= 0; }

    /** 0.3.x and 0.4.0 results carry {@code "version": "4"|"6"} on each IP; 1.0.0 removed it. */
    public boolean hasIpVersionField() { return !atLeast(V1_0_0); }

    /** CHECK exists since 0.4.0. */
    public boolean allowsCheck() { return atLeast(V0_4_0); }

    /** STATUS and GC exist since 1.1.0. */
    public boolean allowsStatusAndGc() { return atLeast(V1_1_0); }

    /** Interface mtu/socketPath/pciID and route mtu/advmss/priority/table/scope exist since 1.1.0. */
    public boolean hasExtendedAttributes() { return atLeast(V1_1_0); }

    @Override
    public String toString() { return text; }
}
