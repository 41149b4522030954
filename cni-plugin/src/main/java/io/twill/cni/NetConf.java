package io.twill.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twill.cni.result.CniResult;
import io.twill.cni.result.Dns;
import io.twill.cni.result.IpPrefix;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The plugin configuration a runtime streams on stdin, parsed and validated (see {@code NetConfParser}).
 *
 * @param cniVersion    the negotiated version; results are printed in it
 * @param name          network name (the first part of the attachment key)
 * @param type          plugin type (the executable name, normally {@code twill-cni})
 * @param capabilities  declared capabilities ({@code portMappings}, {@code ips}, {@code mac}, ...)
 * @param runtimeConfig what the runtime filled in for those capabilities (never null; an empty object if absent)
 * @param runtimeIps    {@code runtimeConfig.ips} (the "ips" capability), empty if absent
 * @param runtimeMac    {@code runtimeConfig.mac} (the "mac" capability), null if absent
 * @param args          the reserved {@code args} object (never null; empty if absent)
 * @param prevResult    the result of earlier plugins in the chain (ADD) or of the last ADD (DEL, CHECK); null if none
 * @param dns           the config's {@code dns} section
 * @param agentSocket   Twill: where the agent listens (default {@code /var/run/twill/twill.sock})
 * @param mtu           Twill: pod interface MTU override, null for the agent's default
 * @param raw           the whole config as received, for anything else a backend may want
 */
public record NetConf(CniVersion cniVersion, String name, String type, Map<String, Boolean> capabilities,
                      ObjectNode runtimeConfig, List<IpPrefix> runtimeIps, String runtimeMac, ObjectNode args,
                      CniResult prevResult, Dns dns, Path agentSocket, Integer mtu, ObjectNode raw) {
    public static final Path DEFAULT_AGENT_SOCKET = Path.of("/var/run/twill/twill.sock");

    public NetConf {
        Objects.requireNonNull(cniVersion, "cniVersion");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
        runtimeConfig = runtimeConfig == null ? JsonNodes.emptyObject() : runtimeConfig.deepCopy();
        runtimeIps = runtimeIps == null ? List.of() : List.copyOf(runtimeIps);
        args = args == null ? JsonNodes.emptyObject() : args.deepCopy();
        dns = dns == null ? Dns.EMPTY : dns;
        agentSocket = agentSocket == null ? DEFAULT_AGENT_SOCKET : agentSocket;
        raw = raw == null ? JsonNodes.emptyObject() : raw.deepCopy();
    }

    public boolean capability(String name) {
        return Boolean.TRUE.equals(capabilities.get(name));
    }

    /** A field of the raw config, or a missing node. */
    public JsonNode field(String name) {
        return raw.path(name);
    }
}
