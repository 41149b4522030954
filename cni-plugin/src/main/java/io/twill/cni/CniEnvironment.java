package io.twill.cni;

import io.twill.cni.result.Ips;
import io.twill.cni.result.Macs;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CNI_* environment of one invocation, validated as spec 1.1.0 requires per command
 * (ADD/CHECK: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME; DEL: CNI_CONTAINERID, CNI_IFNAME, CNI_NETNS optional;
 * GC: CNI_PATH; STATUS, VERSION: nothing more). Problems are {@link CniException#INVALID_ENVIRONMENT} naming the
 * variable; a netns that does not exist at ADD/CHECK is {@link CniException#UNKNOWN_CONTAINER}.
 *
 * @param netns null when not given, or (DEL only) when the namespace no longer exists
 */
public record CniEnvironment(CniCommand command, String containerId, Path netns, String ifName, CniArgs args,
                             String cniPath) {
    static final Set<String> KNOWN_ARGS = Set.of("IgnoreUnknown", "K8S_POD_NAMESPACE", "K8S_POD_NAME", "K8S_POD_UID",
            "K8S_POD_INFRA_CONTAINER_ID", "IP", "MAC");

    /** Reads CNI_COMMAND alone: missing or unknown is an error. */
    public static CniCommand command(Map<String, String> env) {
        String cmd = env.get("CNI_COMMAND");
        if (cmd == null || cmd.isEmpty()) throw CniException.invalidEnvironment("CNI_COMMAND is not set");
        return CniCommand.parse(cmd).orElseThrow(() -> CniException.invalidEnvironment(
                "CNI_COMMAND=" + printable(cmd) + " is not a CNI command (ADD, DEL, CHECK, STATUS, GC, VERSION)"));
    }

    public static CniEnvironment parse(Map<String, String> env) {
        CniCommand command = command(env);
        String cniPath = env.get("CNI_PATH");
        if (command == CniCommand.GC && (cniPath == null || cniPath.isEmpty())) {
            throw CniException.invalidEnvironment("CNI_PATH is not set (GC requires it)");
        }
        if (!command.perAttachment()) return new CniEnvironment(command, null, null, null, CniArgs.EMPTY, cniPath);

        String containerId = required(env, "CNI_CONTAINERID", command);
        if (!Attachment.ID.matcher(containerId).matches()) {
            throw CniException.invalidEnvironment("CNI_CONTAINERID=" + printable(containerId)
                    + " is invalid: it must start with a letter or digit, followed by letters, digits, '_', '.' or '-'");
        }
        String ifName = required(env, "CNI_IFNAME", command);
        String why = ifNameProblem(ifName);
        if (why != null) throw CniException.invalidEnvironment("CNI_IFNAME=" + printable(ifName) + " is invalid: " + why);

        String netnsText = env.get("CNI_NETNS");
        Path netns = null;
        if (command != CniCommand.DEL) required(env, "CNI_NETNS", command);
        if (netnsText != null && !netnsText.isEmpty()) {
            netns = netnsPath(netnsText);
            if (!Files.exists(netns)) {
                if (command != CniCommand.DEL) {
                    throw new CniException(CniException.UNKNOWN_CONTAINER, "network namespace " + netnsText
                            + " (CNI_NETNS) does not exist", "the container is gone, or the agent cannot see the runtime's netns mounts");
                }
                netns = null;
            }
        }
        return new CniEnvironment(command, containerId, netns, ifName, parseArgs(env.get("CNI_ARGS")), cniPath);
    }

    private static String required(Map<String, String> env, String name, CniCommand command) {
        String v = env.get(name);
        if (v == null || v.isEmpty()) throw CniException.invalidEnvironment(name + " is not set (" + command + " requires it)");
        return v;
    }

    private static Path netnsPath(String text) {
        if (!text.startsWith("/")) {
            throw CniException.invalidEnvironment("CNI_NETNS=" + printable(text) + " is invalid: it must be an absolute path");
        }
        for (String part : text.split("/")) {
            if (part.equals("..") || part.equals(".")) {
                throw CniException.invalidEnvironment("CNI_NETNS=" + printable(text) + " is invalid: '.' and '..' are not allowed");
            }
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw CniException.invalidEnvironment("CNI_NETNS=" + printable(text) + " is invalid: " + e.getReason());
        }
    }

    /** Why a Linux interface name is unusable, or null when it is fine (≤ 15 bytes, not . or .., no / : or space). */
    static String ifNameProblem(String name) {
        if (name.isEmpty()) return "it is empty";
        if (name.getBytes(StandardCharsets.UTF_8).length > 15) return "it is longer than 15 bytes";
        if (name.equals(".") || name.equals("..")) return "'.' and '..' are not interface names";
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c == 0 || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "it contains '" + (Character.isISOControl(c) || Character.isWhitespace(c)
                        ? String.format("\\u%04x", (int) c) : String.valueOf(c)) + "'";
            }
        }
        return null;
    }

    /**
     * CNI_ARGS as libcni reads it: {@code K=V} pairs separated by ';', each with exactly one '='. Keys Twill does not
     * know are an error unless {@code IgnoreUnknown} is 1/true.
     */
    public static CniArgs parseArgs(String text) {
        if (text == null || text.isEmpty()) return CniArgs.EMPTY;
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String item : text.split(";", -1)) {
            int eq = item.indexOf('=');
            if (eq <= 0 || item.indexOf('=', eq + 1) >= 0) {
                throw CniException.invalidEnvironment("CNI_ARGS: invalid pair \"" + printable(item) + "\" (expected KEY=VALUE)");
            }
            pairs.put(item.substring(0, eq), item.substring(eq + 1));
        }
        boolean ignoreUnknown = false;
        String ign = pairs.get("IgnoreUnknown");
        if (ign != null) {
            switch (ign.toLowerCase(Locale.ROOT)) {
                case "1", "true" -> ignoreUnknown = true;
                case "0", "false" -> ignoreUnknown = false;
                default -> throw CniException.invalidEnvironment("CNI_ARGS: IgnoreUnknown=" + printable(ign)
                        + " is not a boolean (1, 0, true, false)");
            }
        }
        if (!ignoreUnknown) {
            for (String key : pairs.keySet()) {
                if (!KNOWN_ARGS.contains(key)) {
                    throw CniException.invalidEnvironment("CNI_ARGS: unknown key \"" + printable(key)
                            + "\" (add IgnoreUnknown=1 to pass keys Twill does not use)");
                }
            }
        }
        List<InetAddress> ips = new ArrayList<>();
        String ipText = pairs.get("IP");
        if (ipText != null && !ipText.isEmpty()) {
            for (String one : ipText.split(",", -1)) {
                try {
                    ips.add(Ips.parseAddress(one.strip()));
                } catch (IllegalArgumentException e) {
                    throw CniException.invalidEnvironment("CNI_ARGS: IP=" + printable(ipText) + " is invalid: " + e.getMessage());
                }
            }
        }
        String mac = pairs.get("MAC");
        if (mac != null && !mac.isEmpty()) {
            if (!Macs.isValid(mac)) {
                throw CniException.invalidEnvironment("CNI_ARGS: MAC=" + printable(mac) + " is not a MAC address (aa:bb:cc:dd:ee:ff)");
            }
            mac = Macs.normalize(mac);
        } else {
            mac = null;
        }
        return new CniArgs(pairs, ignoreUnknown, emptyToNull(pairs.get("K8S_POD_NAMESPACE")),
                emptyToNull(pairs.get("K8S_POD_NAME")), emptyToNull(pairs.get("K8S_POD_UID")),
                emptyToNull(pairs.get("K8S_POD_INFRA_CONTAINER_ID")), ips, mac);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Quotes control characters so a message never carries raw bytes from the environment; caps the length. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 120; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
            else sb.append(c);
        }
        if (sb.length() >= 120) sb.append("...");
        return sb.toString();
    }
}
