package io.twill.testkit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test that needs root powers over the kernel: CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN (setns, bpffs).
 * Without them it is skipped with the reason, unless {@code CI=true} or {@code -Dtwill.requirePrivileged=true}, where
 * it fails. Other requirements (tools, kernel features) go through {@link Requires}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("privileged")
@ExtendWith(PrivilegedCondition.class)
public @interface PrivilegedTest {
}
