package io.twill.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A ping every 5 ms from a pod's namespace, whose replies the test watches as they arrive, so it can wait until
 * traffic flows before it changes the datapath and until replies arrive again after, instead of sleeping and hoping.
 * {@link #stop()} ends it and returns what was seen; no loss means every request up to the last one answered got its
 * reply (sequence numbers without a gap).
 */
public final class PingFlood implements AutoCloseable {
    private static final Pattern REPLY = Pattern.compile("icmp_seq=(\\d+)");

    private final Process process;
    private final Thread reader;
    private final List<Integer> replies = new ArrayList<>();
    private final StringBuilder output = new StringBuilder();

    /** What the flood saw: the sequence numbers answered, in arrival order, and ping's own words. */
    public record Result(List<Integer> replies, String output) {
        /** Sequence numbers below the highest answered one that never got a reply. */
        public List<Integer> lost() {
            int max = replies.stream().mapToInt(Integer::intValue).max().orElse(0);
            List<Integer> out = new ArrayList<>();
            for (int s = 1; s <= max; s++) if (!replies.contains(s)) out.add(s);
            return out;
        }
    }

    /** Pings {@code to} from the network namespace {@code from} (as named under /run/netns) every 5 ms. */
    public PingFlood(String from, String to) {
        try {
            process = new ProcessBuilder("ip", "netns", "exec", from, "ping", "-n", "-i", "0.005", "-W", "1", to)
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ping in " + from, e);
        }
        reader = Thread.ofPlatform().daemon().name("ping-flood").start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (this) {
                        output.append(line).append('\n');
                        Matcher m = REPLY.matcher(line);
                        if (line.contains("bytes from") && m.find()) replies.add(Integer.parseInt(m.group(1)));
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
    }

    public PingFlood(TestNamespace from, Inet4Address to) {
        this(from.name(), to.getHostAddress());
    }

    /** Replies seen so far. */
    public synchronized int replies() {
        return replies.size();
    }

    /** Waits until at least {@code n} replies have arrived in all; fails with ping's output if they do not. */
    public synchronized void awaitReplies(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (replies.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !process.isAlive() && replies.size() < n) {
                throw new AssertionError("ping got " + replies.size() + " replies, not " + n + " within " + timeout
                        + ":\n" + output);
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    /** Stops the ping (SIGINT, as Ctrl-C: it prints its summary) and returns what it saw. */
    public Result stop() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroy); // ping under `ip netns exec`
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        reader.join(Duration.ofSeconds(5));
        synchronized (this) {
            return new Result(List.copyOf(replies), output.toString());
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) stop();
    }
}
