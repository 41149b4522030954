package io.twill.e2e;

/** {@link KubeProxyE2E} with native routing. */
class KubeProxyNativeE2E extends KubeProxyE2E {
    @Override
    String routing() {
        return "native";
    }
}
