package io.twill.cni;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds invocations for tests: an ADD in a network "twillnet" for container "c1" on eth0 unless changed. */
public final class Inv {
    public static final String NETNS = "/proc/self/ns/net";
    private final Map<String, String> env = new LinkedHashMap<>();
    private String stdin;

    private Inv(String command, String stdin) {
        if (command != null) env.put("CNI_COMMAND", command);
        this.stdin = stdin;
    }

    public static Inv of(String command, String stdin) {
        return new Inv(command, stdin);
    }

    /** A complete, valid invocation of {@code command} for container "c1". */
    public static Inv valid(String command, String version) {
        Inv i = new Inv(command, conf(version, ""));
        i.env.put("CNI_CONTAINERID", "c1");
        i.env.put("CNI_IFNAME", "eth0");
        i.env.put("CNI_NETNS", NETNS);
        i.env.put("CNI_PATH", "/opt/cni/bin");
        i.env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0");
        return i;
    }

    /** A network config of {@code version} with {@code extra} (",\"key\":value..." or "") appended. */
    public static String conf(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"twillnet\",\"type\":\"twill-cni\"" + extra + "}";
    }

    public Inv env(String key, String value) {
        if (value == null) env.remove(key);
        else env.put(key, value);
        return this;
    }

    public Inv stdin(String s) {
        this.stdin = s;
        return this;
    }

    public Map<String, String> envMap() {
        return env;
    }

    public String stdinText() {
        return stdin;
    }

    public CniInvocation build() {
        return new CniInvocation(env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return env + " " + stdin;
    }
}
