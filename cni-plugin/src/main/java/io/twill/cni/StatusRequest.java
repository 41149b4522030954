package io.twill.cni;

import java.util.Objects;

/**
 * STATUS (spec 1.1.0): can the plugin service ADD requests now? Return normally when ready; throw
 * {@link CniException} with {@link CniException#PLUGIN_NOT_AVAILABLE} (e.g. no pod CIDR yet, IPAM exhausted) or
 * {@link CniException#PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY} (datapath broken) otherwise.
 */
public record StatusRequest(NetConf conf) {
    public StatusRequest {
        Objects.requireNonNull(conf, "conf");
    }
}
