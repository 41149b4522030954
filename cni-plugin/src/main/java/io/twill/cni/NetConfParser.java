package io.twill.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twill.cni.result.CniResult;
import io.twill.cni.result.Dns;
import io.twill.cni.result.IpPrefix;
import io.twill.cni.result.JsonFields;
import io.twill.cni.result.Macs;
import io.twill.cni.result.ResultCodec;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.twill.cni.result.JsonFields.invalid;
import static io.twill.cni.result.JsonFields.optArray;
import static io.twill.cni.result.JsonFields.optInt;
import static io.twill.cni.result.JsonFields.optString;
import static io.twill.cni.result.JsonFields.show;

/**
 * Parses and validates the plugin configuration from stdin. Unknown keys are kept (in {@link NetConf#raw()}) and
 * never an error, as the spec requires runtimes and plugins to tolerate them. Not JSON, or not an object:
 * {@link CniException#DECODING_FAILURE}; a version Twill does not speak: {@link CniException#INCOMPATIBLE_VERSION};
 * a delegated {@code ipam} section: {@link CniException#UNSUPPORTED_FIELD}; anything missing, mistyped or out of
 * range: {@link CniException#INVALID_NETWORK_CONFIG}, naming the field.
 */
public final class NetConfParser {
    /** One mapper for the whole module. Trailing garbage after the JSON document is an error. */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private NetConfParser() {}

    /** Decodes stdin into a JSON object (code 6 when that is impossible). */
    public static ObjectNode decode(byte[] stdin) {
        if (stdin.length == 0) {
            throw new CniException(CniException.DECODING_FAILURE, "no network config on stdin", "expected a JSON object");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(stdin);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw new CniException(CniException.DECODING_FAILURE, "network config on stdin is not valid JSON" + where,
                    e.getOriginalMessage());
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot read network config from stdin", e.toString());
        }
        if (root == null || !root.isObject()) {
            throw new CniException(CniException.DECODING_FAILURE, "network config on stdin is not a JSON object",
                    "got " + (root == null ? "nothing" : show(root)));
        }
        return (ObjectNode) root;
    }

    /**
     * The config's cniVersion if it is one Twill speaks, else the latest: for labelling output before (or despite)
     * full validation; never throws.
     */
    public static CniVersion versionForOutput(byte[] stdin) {
        try {
            return versionForOutput(MAPPER.readTree(stdin));
        } catch (IOException | RuntimeException e) {
            return CniVersion.LATEST;
        }
    }

    public static CniVersion versionForOutput(JsonNode root) {
        JsonNode v = root == null ? null : root.get("cniVersion");
        return v != null && v.isTextual() ? CniVersion.parse(v.textValue()).orElse(CniVersion.LATEST) : CniVersion.LATEST;
    }

    public static NetConf parse(byte[] stdin) {
        return parse(decode(stdin));
    }

    public static NetConf parse(ObjectNode root) {
        CniVersion version = version(root);
        String name = optString(root, "name", "");
        if (name == null) throw invalid("name", "missing required field");
        if (!Attachment.ID.matcher(name).matches()) {
            throw invalid("name", "\"" + name + "\" must start with a letter or digit, followed by letters, digits, '_', '.' or '-'");
        }
        String type = optString(root, "type", "");
        if (type == null || type.isEmpty()) throw invalid("type", "missing required field");
        if (type.contains("/") || type.contains("\\")) throw invalid("type", "\"" + type + "\" must not contain path separators");

        JsonNode ipam = root.get("ipam");
        if (ipam != null && !ipam.isNull() && !(ipam.isObject() && ipam.isEmpty())) {
            throw new CniException(CniException.UNSUPPORTED_FIELD, "unsupported field ipam=" + show(ipam),
                    "Twill allocates pod addresses itself from the node's pod CIDR; remove the ipam section");
        }

        Map<String, Boolean> capabilities = new LinkedHashMap<>();
        JsonNode caps = root.get("capabilities");
        if (caps != null && !caps.isNull()) {
            JsonFields.requireObject(caps, "capabilities");
            for (var e : caps.properties()) {
                if (!e.getValue().isBoolean()) {
                    throw invalid("capabilities." + e.getKey(), "expected true or false, got " + show(e.getValue()));
                }
                capabilities.put(e.getKey(), e.getValue().booleanValue());
            }
        }
        ObjectNode runtimeConfig = optObject(root, "runtimeConfig");
        List<IpPrefix> runtimeIps = new ArrayList<>();
        String runtimeMac = null;
        if (runtimeConfig != null) {
            List<String> ips = JsonFields.optStringList(runtimeConfig, "ips", "runtimeConfig");
            for (int i = 0; i < ips.size(); i++) {
                try {
                    runtimeIps.add(IpPrefix.parse(ips.get(i)));
                } catch (IllegalArgumentException e) {
                    throw invalid("runtimeConfig.ips[" + i + "]", e.getMessage());
                }
            }
            runtimeMac = optString(runtimeConfig, "mac", "runtimeConfig");
            if (runtimeMac != null && !Macs.isValid(runtimeMac)) {
                throw invalid("runtimeConfig.mac", "\"" + runtimeMac + "\" is not a MAC address (aa:bb:cc:dd:ee:ff)");
            }
            if (runtimeMac != null) runtimeMac = Macs.normalize(runtimeMac);
        }
        ObjectNode args = optObject(root, "args");

        CniResult prevResult = null;
        JsonNode prev = root.get("prevResult");
        if (prev != null && !prev.isNull()) prevResult = ResultCodec.fromJson(prev, version, "prevResult");

        JsonNode dnsNode = root.get("dns");
        Dns dns = dnsNode == null || dnsNode.isNull() ? Dns.EMPTY : ResultCodec.dnsFromJson(dnsNode, "dns");

        Path agentSocket = null;
        String sock = optString(root, "agentSocket", "");
        if (sock != null) agentSocket = socketPath(sock);
        Integer mtu = optInt(root, "mtu", "", 65535);
        if (mtu != null && mtu < 576) throw invalid("mtu", mtu + " is below the IPv4 minimum of 576");
        Integer timeout = optInt(root, "agentTimeoutSeconds", "", 3600); // read by twill-cni itself
        if (timeout != null && timeout < 1) throw invalid("agentTimeoutSeconds", "must be at least 1");

        return new NetConf(version, name, type, capabilities, runtimeConfig, runtimeIps, runtimeMac, args,
                prevResult, dns, agentSocket, mtu, root);
    }

    private static CniVersion version(ObjectNode root) {
        JsonNode v = root.get("cniVersion");
        if (v == null || v.isNull()) throw invalid("cniVersion", "missing required field");
        if (!v.isTextual()) throw invalid("cniVersion", "expected a string, got " + show(v));
        return CniVersion.parse(v.textValue()).orElseThrow(() -> new CniException(CniException.INCOMPATIBLE_VERSION,
                "incompatible CNI versions: config is \"" + v.textValue() + "\"",
                "twill-cni supports " + String.join(", ", CniVersion.supported())));
    }

    private static ObjectNode optObject(ObjectNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isObject()) throw invalid(field, "expected an object, got " + show(n));
        return (ObjectNode) n;
    }

    private static Path socketPath(String text) {
        // sun_path holds 108 bytes including the terminating NUL
        if (!text.startsWith("/")) throw invalid("agentSocket", "\"" + text + "\" must be an absolute path");
        if (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 107) {
            throw invalid("agentSocket", "\"" + text + "\" is longer than the 107 bytes a Unix socket path may have");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw invalid("agentSocket", e.getMessage());
        }
    }

    /**
     * GC's {@code cni.dev/valid-attachments} (libcni also writes it as {@code cni.dev/attachments}); required,
     * because treating a missing list as empty would delete every pod's network.
     */
    public static Set<Attachment> validAttachments(NetConf conf) {
        String key = "cni.dev/valid-attachments";
        JsonNode list = conf.raw().get(key);
        if (list == null || list.isNull()) {
            key = "cni.dev/attachments";
            list = conf.raw().get(key);
        }
        if (list == null || list.isNull()) throw invalid("cni.dev/valid-attachments", "missing (GC requires the list of valid attachments)");
        List<JsonNode> items = optArray(conf.raw(), key, "");
        Set<Attachment> out = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String p = key + "[" + i + "]";
            JsonNode n = JsonFields.requireObject(items.get(i), p);
            String cid = JsonFields.requireString(n, "containerID", p);
            String ifname = JsonFields.requireString(n, "ifname", p);
            try {
                out.add(new Attachment(conf.name(), cid, ifname));
            } catch (IllegalArgumentException e) {
                throw invalid(p, e.getMessage());
            }
        }
        return out;
    }
}
