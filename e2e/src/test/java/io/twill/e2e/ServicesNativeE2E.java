package io.twill.e2e;

/** {@link ServicesE2E} with native routing: pod CIDRs routed between nodes by the kernel, no VXLAN. */
class ServicesNativeE2E extends ServicesE2E {
    @Override
    String routing() {
        return "native";
    }
}
