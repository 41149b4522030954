package io.twill.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Standalone mode's list of other nodes: which node IP owns which pod CIDR. Either lines
 * {@code <node IP> <pod CIDR> [<pod CIDR>…]} ({@code #} starts a comment), or JSON
 * {@code [{"nodeIP": "192.168.1.2", "podCIDRs": ["10.1.2.0/24"]}, …]}. Errors name the file and line (or entry).
 */
public final class PeersFile {
    private PeersFile() {}

    /** One peer node. */
    public record Peer(Inet4Address nodeIp, List<Ipv4Prefix> podCidrs) {
        public Peer {
            podCidrs = List.copyOf(podCidrs);
        }
    }

    public static List<Peer> read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("peers file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read peers file " + file + ": " + e.getMessage(), e);
        }
        List<Peer> peers = text.stripLeading().startsWith("[") ? json(file, text) : lines(file, text);
        Map<Ipv4Prefix, Inet4Address> seen = new LinkedHashMap<>();
        for (Peer p : peers) {
            for (Ipv4Prefix c : p.podCidrs()) {
                for (var e : seen.entrySet()) {
                    if (e.getKey().overlaps(c)) {
                        throw new ConfigException("peers file " + file + ": " + c + " of " + p.nodeIp().getHostAddress()
                                + " overlaps " + e.getKey() + " of " + e.getValue().getHostAddress());
                    }
                }
                seen.put(c, p.nodeIp());
            }
        }
        return peers;
    }

    static List<Peer> lines(Path file, String text) {
        List<Peer> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            int hash = l.indexOf('#');
            if (hash >= 0) l = l.substring(0, hash);
            l = l.strip();
            if (l.isEmpty()) continue;
            String[] f = l.split("\\s+");
            String where = "peers file " + file + " line " + (i + 1);
            if (f.length < 2) throw new ConfigException(where + ": expected '<node IP> <pod CIDR>…', got '" + l + "'");
            out.add(peer(where, f[0], List.of(f).subList(1, f.length)));
        }
        return out;
    }

    static List<Peer> json(Path file, String text) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new ConfigException("peers file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        List<Peer> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode n = root.get(i);
            String where = "peers file " + file + " entry [" + i + "]";
            if (!n.isObject() || !n.path("nodeIP").isTextual() || !n.path("podCIDRs").isArray()) {
                throw new ConfigException(where + ": expected {\"nodeIP\": \"a.b.c.d\", \"podCIDRs\": [\"x/n\", …]}");
            }
            List<String> cidrs = new ArrayList<>();
            n.get("podCIDRs").forEach(c -> cidrs.add(c.asText()));
            var unknown = new ArrayList<String>();
            n.fieldNames().forEachRemaining(k -> {
                if (!k.equals("nodeIP") && !k.equals("podCIDRs")) unknown.add(k);
            });
            if (!unknown.isEmpty()) throw new ConfigException(where + ": unknown key(s) " + unknown);
            out.add(peer(where, n.get("nodeIP").asText(), cidrs));
        }
        return out;
    }

    private static Peer peer(String where, String ip, List<String> cidrs) {
        Inet4Address node;
        try {
            node = Ipv4.parse(ip);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": node IP " + e.getMessage());
        }
        if (cidrs.isEmpty()) throw new ConfigException(where + ": no pod CIDR for " + ip);
        List<Ipv4Prefix> cs = new ArrayList<>();
        for (String c : cidrs) {
            try {
                cs.add(Ipv4Prefix.parse(c));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + ": " + e.getMessage());
            }
        }
        return new Peer(node, cs);
    }
}
