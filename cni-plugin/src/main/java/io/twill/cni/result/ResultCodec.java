package io.twill.cni.result;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twill.cni.CniException;
import io.twill.cni.CniVersion;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static io.twill.cni.result.JsonFields.invalid;
import static io.twill.cni.result.JsonFields.optAddress;
import static io.twill.cni.result.JsonFields.optArray;
import static io.twill.cni.result.JsonFields.optInt;
import static io.twill.cni.result.JsonFields.optString;
import static io.twill.cni.result.JsonFields.optStringList;
import static io.twill.cni.result.JsonFields.path;
import static io.twill.cni.result.JsonFields.requirePrefix;
import static io.twill.cni.result.JsonFields.requireString;
import static io.twill.cni.result.JsonFields.show;

/**
 * Prints a {@link CniResult} in a given spec version and parses one (a prevResult) from it.
 *
 * <ul>
 *   <li>0.3.0, 0.3.1, 0.4.0: {@code ips[]} carry {@code "version": "4"|"6"}; no 1.1.0 attributes.</li>
 *   <li>1.0.0: no {@code ips[].version}; no 1.1.0 attributes.</li>
 *   <li>1.1.0: adds {@code interfaces[].mtu/socketPath/pciID} and {@code routes[].mtu/advmss/priority/table/scope}.</li>
 * </ul>
 * Empty lists and an empty {@code dns} are left out, as Go's {@code omitempty} does.
 */
public final class ResultCodec {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ResultCodec() {}

    public static ObjectNode toJson(CniResult result, CniVersion version) {
        ObjectNode root = F.objectNode();
        root.put("cniVersion", version.text());
        boolean ext = version.hasExtendedAttributes();
        if (!result.interfaces().isEmpty()) {
            ArrayNode arr = root.putArray("interfaces");
            for (CniInterface i : result.interfaces()) {
                ObjectNode o = arr.addObject();
                o.put("name", i.name());
                if (i.mac() != null) o.put("mac", i.mac());
                if (ext && i.mtu() != null) o.put("mtu", i.mtu());
                if (i.sandbox() != null) o.put("sandbox", i.sandbox());
                if (ext && i.socketPath() != null) o.put("socketPath", i.socketPath());
                if (ext && i.pciId() != null) o.put("pciID", i.pciId());
            }
        }
        if (!result.ips().isEmpty()) {
            ArrayNode arr = root.putArray("ips");
            for (IpConfig ip : result.ips()) {
                ObjectNode o = arr.addObject();
                if (version.hasIpVersionField()) o.put("version", ip.address().isIpv4() ? "4" : "6");
                if (ip.interfaceIndex() != null) o.put("interface", ip.interfaceIndex());
                o.put("address", ip.address().toString());
                if (ip.gateway() != null) o.put("gateway", Ips.format(ip.gateway()));
            }
        }
        if (!result.routes().isEmpty()) {
            ArrayNode arr = root.putArray("routes");
            for (Route r : result.routes()) {
                ObjectNode o = arr.addObject();
                o.put("dst", r.dst().toString());
                if (r.gw() != null) o.put("gw", Ips.format(r.gw()));
                if (ext) {
                    putIfSet(o, "mtu", r.mtu());
                    putIfSet(o, "advmss", r.advmss());
                    putIfSet(o, "priority", r.priority());
                    putIfSet(o, "table", r.table());
                    putIfSet(o, "scope", r.scope());
                }
            }
        }
        if (!result.dns().isEmpty()) root.set("dns", dnsToJson(result.dns()));
        return root;
    }

    public static ObjectNode dnsToJson(Dns dns) {
        ObjectNode o = F.objectNode();
        if (!dns.nameservers().isEmpty()) dns.nameservers().forEach(o.putArray("nameservers")::add);
        if (dns.domain() != null) o.put("domain", dns.domain());
        if (!dns.search().isEmpty()) dns.search().forEach(o.putArray("search")::add);
        if (!dns.options().isEmpty()) dns.options().forEach(o.putArray("options")::add);
        return o;
    }

    private static void putIfSet(ObjectNode o, String key, Integer v) {
        if (v != null) o.put(key, v);
    }

    /**
     * Parses a result written in {@code version} (as libcni does for prevResult: the config's version decides the
     * format, the result's own cniVersion is not consulted). Fails with {@link CniException#INVALID_NETWORK_CONFIG}
     * naming the field under {@code where} (e.g. "prevResult").
     */
    public static CniResult fromJson(JsonNode node, CniVersion version, String where) {
        JsonFields.requireObject(node, where);
        List<JsonNode> ifNodes = optArray(node, "interfaces", where);
        List<CniInterface> ifs = new ArrayList<>(ifNodes.size());
        for (int i = 0; i < ifNodes.size(); i++) {
            String p = path(where, "interfaces") + "[" + i + "]";
            JsonNode n = JsonFields.requireObject(ifNodes.get(i), p);
            String name = requireString(n, "name", p);
            String mac = optString(n, "mac", p);
            try {
                ifs.add(new CniInterface(name, mac, optInt(n, "mtu", p, 65535), optString(n, "sandbox", p),
                        optString(n, "socketPath", p), optString(n, "pciID", p)));
            } catch (IllegalArgumentException e) {
                throw invalid(p, e.getMessage());
            }
        }
        List<JsonNode> ipNodes = optArray(node, "ips", where);
        List<IpConfig> ips = new ArrayList<>(ipNodes.size());
        for (int i = 0; i < ipNodes.size(); i++) {
            String p = path(where, "ips") + "[" + i + "]";
            JsonNode n = JsonFields.requireObject(ipNodes.get(i), p);
            IpPrefix address = requirePrefix(n, "address", p);
            InetAddress gw = optAddress(n, "gateway", p);
            Integer idx = optInt(n, "interface", p, Integer.MAX_VALUE);
            if (idx != null && idx >= ifs.size()) {
                throw invalid(path(p, "interface"), "index " + idx + " but there are only " + ifs.size() + " interfaces");
            }
            if (version.hasIpVersionField()) checkIpVersion(n, address, p);
            try {
                ips.add(new IpConfig(address, gw, idx));
            } catch (IllegalArgumentException e) {
                throw invalid(p, e.getMessage());
            }
        }
        List<JsonNode> routeNodes = optArray(node, "routes", where);
        List<Route> routes = new ArrayList<>(routeNodes.size());
        for (int i = 0; i < routeNodes.size(); i++) {
            String p = path(where, "routes") + "[" + i + "]";
            JsonNode n = JsonFields.requireObject(routeNodes.get(i), p);
            try {
                routes.add(new Route(requirePrefix(n, "dst", p), optAddress(n, "gw", p),
                        optInt(n, "mtu", p, 65535), optInt(n, "advmss", p, 65535),
                        optInt(n, "priority", p, 0xffffffffL), optInt(n, "table", p, 0xffffffffL),
                        optInt(n, "scope", p, 255)));
            } catch (IllegalArgumentException e) {
                throw invalid(p, e.getMessage());
            }
        }
        JsonNode dnsNode = node.get("dns");
        Dns dns = dnsNode == null || dnsNode.isNull() ? Dns.EMPTY : dnsFromJson(dnsNode, path(where, "dns"));
        return new CniResult(ifs, ips, routes, dns);
    }

    private static void checkIpVersion(JsonNode ipNode, IpPrefix address, String p) {
        String v = optString(ipNode, "version", p);
        if (v == null) return;
        if (!v.equals("4") && !v.equals("6")) throw invalid(path(p, "version"), "expected \"4\" or \"6\", got \"" + v + "\"");
        if (v.equals("4") != address.isIpv4()) {
            throw invalid(path(p, "version"), "says IPv" + v + " but address is " + address);
        }
    }

    public static Dns dnsFromJson(JsonNode n, String where) {
        if (!n.isObject()) throw invalid(where, "expected an object, got " + show(n));
        List<String> nameservers = optStringList(n, "nameservers", where);
        for (int i = 0; i < nameservers.size(); i++) {
            try {
                Ips.parseAddress(nameservers.get(i));
            } catch (IllegalArgumentException e) {
                throw invalid(path(where, "nameservers") + "[" + i + "]", e.getMessage());
            }
        }
        return new Dns(nameservers, optString(n, "domain", where), optStringList(n, "search", where),
                optStringList(n, "options", where));
    }

    /** The spec's error structure; {@code details} left out when empty. */
    public static ObjectNode errorJson(CniVersion version, CniException e) {
        ObjectNode o = F.objectNode();
        o.put("cniVersion", version.text());
        o.put("code", e.code());
        o.put("msg", e.msg());
        if (!e.details().isEmpty()) o.put("details", e.details());
        return o;
    }

    /** The VERSION answer. */
    public static ObjectNode versionJson(CniVersion version) {
        ObjectNode o = F.objectNode();
        o.put("cniVersion", version.text());
        ArrayNode arr = o.putArray("supportedVersions");
        CniVersion.supported().forEach(arr::add);
        return o;
    }
}
