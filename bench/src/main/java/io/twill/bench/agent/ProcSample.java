package io.twill.bench.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One reading of a process from {@code /proc/<pid>}: resident memory now and at its peak ({@code VmRSS},
 * {@code VmHWM}), threads, and the CPU time it has used (user + system).
 *
 * @param rssKiB     {@code VmRSS}
 * @param hwmKiB     {@code VmHWM}, the peak RSS since the process started
 * @param threads    {@code Threads}
 * @param cpuSeconds utime + stime of {@code /proc/<pid>/stat}
 * @param nanoTime   {@link System#nanoTime()} when read
 */
record ProcSample(long rssKiB, long hwmKiB, int threads, double cpuSeconds, long nanoTime) {
    /** /proc/<pid>/stat counts in USER_HZ clock ticks, which the kernel ABI fixes at 100 on x86 and arm64. */
    private static final double USER_HZ = 100.0;

    static ProcSample read(long pid) {
        try {
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // comm (field 2) may hold spaces and parentheses: the fields after it start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            // f[0] is field 3 (state); utime and stime are fields 14 and 15.
            double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / USER_HZ;
            return new ProcSample(number(status, "VmRSS"), number(status, "VmHWM"), (int) number(status, "Threads"), cpu,
                    System.nanoTime());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/" + pid + " (is the agent still running?)", e);
        }
    }

    double rssMiB() {
        return rssKiB / 1024.0;
    }

    double hwmMiB() {
        return hwmKiB / 1024.0;
    }

    /** CPU the process used between {@code earlier} and this sample, as a fraction of one core. */
    double coresSince(ProcSample earlier) {
        double wall = (nanoTime - earlier.nanoTime) / 1e9;
        return wall <= 0 ? 0 : (cpuSeconds - earlier.cpuSeconds) / wall;
    }

    /** The number after {@code key:} in /proc/<pid>/status ("VmRSS:\t  123456 kB" gives 123456). */
    private static long number(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String v = line.substring(key.length() + 1).trim();
                int sp = v.indexOf(' ');
                return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
            }
        }
        throw new IllegalStateException("/proc status has no " + key);
    }
}
