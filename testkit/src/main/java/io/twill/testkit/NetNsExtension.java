package io.twill.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Hands out network namespaces with unique names ({@code tw-<hint>-<random>}) and deletes them, pass or fail: those
 * made during a test after that test, those made outside a test (from {@code @BeforeAll}, with the extension in a
 * static field) after the class.
 * Deleting a namespace removes every veth end in it, so tests that keep both ends of their links inside namespaces
 * they made leave nothing behind.
 *
 * <pre>{@code
 * @RegisterExtension final NetNsExtension netns = new NetNsExtension();
 * TestNamespace a = netns.create("a");
 * }</pre>
 */
public final class NetNsExtension implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final List<TestNamespace> perClass = new ArrayList<>();
    private final List<TestNamespace> perTest = new ArrayList<>();
    private boolean inTest;

    /** Creates a namespace; {@code hint} (a few letters) makes leftovers recognisable. Loopback is brought up. */
    public synchronized TestNamespace create(String hint) {
        byte[] r = new byte[3];
        RANDOM.nextBytes(r);
        String name = "tw-" + hint + "-" + HexFormat.of().formatHex(r);
        Cmd.run("ip", "netns", "add", name);
        TestNamespace ns = new TestNamespace(name);
        (inTest ? perTest : perClass).add(ns);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        inTest = false;
        delete(perTest);
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        deleteAll();
    }

    /** Deletes every namespace this extension made so far. */
    public synchronized void deleteAll() {
        delete(perTest);
        delete(perClass);
    }

    private void delete(List<TestNamespace> created) {
        List<String> failures = new ArrayList<>();
        for (TestNamespace ns : created.reversed()) {
            // Processes started inside (ping, iperf3) would keep the namespace alive: kill them first.
            Cmd.tryRun("ip", "netns", "pids", ns.name()).stdout().lines()
                    .filter(l -> !l.isBlank())
                    .forEach(pid -> Cmd.tryRun("kill", "-9", pid.strip()));
            Cmd.Result r = Cmd.tryRun("ip", "netns", "del", ns.name());
            if (!r.ok()) failures.add(r.toString());
        }
        created.clear();
        if (!failures.isEmpty()) throw new IllegalStateException("could not delete test namespaces: " + failures);
    }
}
