package io.twill.testkit;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Enables {@link PrivilegedTest}s only where the process holds the capabilities they need; where everything is
 * mandatory ({@link Requires#mandatory()}: CI=true or -Dtwill.requirePrivileged=true) a missing one fails instead.
 */
public final class PrivilegedCondition implements ExecutionCondition {
    static final int CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21, CAP_BPF = 39;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String missing = missingPrivileges();
        if (missing == null) return ConditionEvaluationResult.enabled("running with CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN");
        String why = "privileged test skipped: " + missing + " (run as root: sudo make test)";
        if (Requires.mandatory()) {
            throw new IllegalStateException(why.replace("skipped", "cannot run")
                    + "; CI=true or -Dtwill.requirePrivileged=true makes this a failure");
        }
        return ConditionEvaluationResult.disabled(why);
    }

    /** Null when everything needed is present, else a sentence naming what is missing. */
    public static String missingPrivileges() {
        BigInteger eff;
        try {
            eff = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:"))
                    .map(l -> new BigInteger(l.substring(7).trim(), 16))
                    .findFirst().orElse(BigInteger.ZERO);
        } catch (IOException e) {
            return "cannot read /proc/self/status (" + e.getMessage() + ")";
        }
        List<String> missing = new ArrayList<>();
        if (!eff.testBit(CAP_BPF) && !eff.testBit(CAP_SYS_ADMIN)) missing.add("CAP_BPF");
        if (!eff.testBit(CAP_NET_ADMIN)) missing.add("CAP_NET_ADMIN");
        if (!eff.testBit(CAP_SYS_ADMIN)) missing.add("CAP_SYS_ADMIN");
        if (!Files.isDirectory(Path.of("/sys/fs/bpf"))) missing.add("a bpffs at /sys/fs/bpf");
        return missing.isEmpty() ? null : "missing " + String.join(", ", missing);
    }

    public static boolean privileged() {
        return missingPrivileges() == null;
    }
}
