package io.twill.operator;

import io.twill.operator.config.OperatorConfig;
import io.twill.operator.config.OperatorConfigException;
import io.twill.operator.config.OperatorConfigLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code twill-operator}: reads configuration (see {@link OperatorConfigLoader#usage()}), runs one {@link Operator}
 * until SIGTERM/SIGINT, then releases the lease and exits 0. Exit 2 on bad configuration, 1 when start fails.
 */
public final class TwillOperator {

    private static final Logger log = LoggerFactory.getLogger(TwillOperator.class);

    private TwillOperator() {
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(OperatorConfigLoader.usage());
            return;
        }
        OperatorConfig config;
        try {
            config = OperatorConfigLoader.load(List.of(args), System.getenv());
        } catch (OperatorConfigException e) {
            System.err.println("twill-operator: " + e.getMessage());
            System.exit(2);
            return;
        }
        Operator operator = Operator.withOwnClient(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down: releasing the lease");
            operator.close();
            stopped.countDown();
        }, "twill-operator-shutdown"));
        try {
            operator.start();
        } catch (RuntimeException e) {
            log.error("twill-operator failed to start: {}", e.getMessage(), e);
            System.exit(1);
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
