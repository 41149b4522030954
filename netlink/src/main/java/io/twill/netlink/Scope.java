package io.twill.netlink;

/**
 * Address and route scope (rtm_scope / ifa_scope). Codes the kernel reports that have no name here map to the
 * named scope just wider than them (the kernel orders scopes numerically, smaller = wider).
 */
public enum Scope {
    UNIVERSE(0), SITE(200), LINK(253), HOST(254), NOWHERE(255);

    private final int code;

    Scope(int code) {
        this.code = code;
    }

    public int code() { return code; }

    public static Scope of(int code) {
        if (code < 200) return UNIVERSE;
        if (code < 253) return SITE;
        return switch (code) {
            case 253 -> LINK;
            case 254 -> HOST;
            default -> NOWHERE;
        };
    }

    /** As {@code ip} prints it: global, site, link, host, nowhere. */
    public String ipName() {
        return this == UNIVERSE ? "global" : name().toLowerCase();
    }
}
