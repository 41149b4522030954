package io.twill.datapath;

import io.twill.types.MacAddress;
import io.twill.testkit.TestNamespace;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A network device as {@code ip -o link} shows it inside a test namespace. */
record Dev(String name, int ifindex, MacAddress mac) {
    private static final Pattern LINE = Pattern.compile("^(\\d+): ([^:@]+)[@:].*link/ether ([0-9a-f:]{17}).*", Pattern.DOTALL);

    static Dev of(TestNamespace ns, String name) {
        String out = ns.exec("ip", "-o", "link", "show", "dev", name).stdout().strip();
        Matcher m = LINE.matcher(out);
        if (!m.matches()) throw new IllegalStateException("cannot parse `ip -o link show dev " + name + "` in " + ns + ": " + out);
        return new Dev(m.group(2), Integer.parseInt(m.group(1)), MacAddress.parse(m.group(3)));
    }
}
