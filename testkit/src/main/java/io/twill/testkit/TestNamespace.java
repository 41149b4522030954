package io.twill.testkit;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A network namespace made for one test ({@code ip netns add}); {@link NetNsExtension} deletes it afterwards.
 * {@link #call} runs Java code inside it on a throw-away platform thread; {@link #exec} runs a command inside it.
 */
public final class TestNamespace {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int O_RDONLY_CLOEXEC = 0x80000, CLONE_NEWNET = 0x40000000;

    private final String name;

    TestNamespace(String name) {
        this.name = name;
    }

    public String name() { return name; }

    public Path path() { return Path.of("/run/netns", name); }

    /** Runs a command inside the namespace and fails on a non-zero exit. */
    public Cmd.Result exec(String... command) {
        return Cmd.exec(wrap(command), 120).check();
    }

    /** Runs a command inside the namespace and returns whatever happened. */
    public Cmd.Result tryExec(String... command) {
        return Cmd.exec(wrap(command), 120);
    }

    private List<String> wrap(String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return full;
    }

    /** Runs {@code task} on a fresh platform thread that has entered this namespace; the thread is then discarded. */
    public <T> T call(Callable<T> task) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().name("test-netns-" + name).start(() -> {
            try {
                enter(path());
                result[0] = task.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (failure[0] instanceof RuntimeException re) throw re;
        if (failure[0] instanceof Error err) throw err;
        if (failure[0] != null) throw new IllegalStateException(failure[0]);
        @SuppressWarnings("unchecked")
        T r = (T) result[0];
        return r;
    }

    public void run(ThrowingRunnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Moves the calling OS thread into the namespace at {@code nsPath}. */
    public static void enter(Path nsPath) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom(nsPath.toString()), O_RDONLY_CLOEXEC, 0);
            if (fd < 0) throw new IllegalStateException("cannot open " + nsPath);
            try {
                if ((int) SETNS.invokeExact(fd, CLONE_NEWNET) != 0) throw new IllegalStateException("setns " + nsPath + " failed");
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }
}
