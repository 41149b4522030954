package io.twill.bpf;

import io.twill.testkit.Cmd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** Test support: the test objects from twill-bpf-src, packets, counters, and throw-away bpffs mounts. */
final class TestBpf {
    private TestBpf() {}

    /**
     * Opens what the JDK opens once and keeps (SecureRandom's /dev/random and /dev/urandom, used by temp
     * directories; libbpf's probes), so {@code FdLeakExtension} does not count them against the first test.
     */
    static void warmUp() {
        try {
            Files.delete(Files.createTempDirectory("tw-warmup-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Features.tcx();
        spec("tc_count").load().close();
    }

    static ObjectSpec spec(String name) {
        return ObjectSpec.fromResource("/io/twill/bpf/test/" + name + ".bpf.o");
    }

    /** An Ethernet + IPv4 + ICMP echo request frame (42 bytes), as tc_count counts it. */
    static byte[] icmpEcho() {
        byte[] p = new byte[42];
        p[12] = 0x08; // ETH_P_IP
        p[14] = 0x45; // version 4, ihl 5
        p[16] = 0;
        p[17] = 28;   // total length
        p[22] = 64;   // ttl
        p[23] = 1;    // IPPROTO_ICMP
        p[34] = 8;    // ICMP_ECHO
        return p;
    }

    /** A frame tc_count ignores (ARP ethertype). */
    static byte[] arp() {
        byte[] p = new byte[42];
        p[12] = 0x08;
        p[13] = 0x06;
        return p;
    }

    /** packets counted in slot {@code slot} of tc_count's "counts" array. */
    static long packets(BpfMap counts, int slot) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment key = a.allocate(JAVA_INT);
            key.set(JAVA_INT, 0, slot);
            MemorySegment value = a.allocate(counts.valueBufferSize());
            if (!counts.lookup(key, value)) throw new AssertionError("slot " + slot + " missing");
            return value.get(JAVA_LONG, 0);
        }
    }

    /** A bpffs mounted on a fresh directory for one test; unmounted (dropping its pins) on close. */
    static final class Bpffs implements AutoCloseable {
        final Path dir;

        Bpffs() {
            try {
                dir = Files.createTempDirectory("tw-bpffs-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Cmd.run("mount", "-t", "bpf", "bpf", dir.toString());
        }

        Path resolve(String name) { return dir.resolve(name); }

        @Override
        public void close() {
            Cmd.tryRun("umount", dir.toString());
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
