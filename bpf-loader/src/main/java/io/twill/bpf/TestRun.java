package io.twill.bpf;

import java.util.Objects;

/**
 * Input of {@link BpfProgram#testRun}: a packet (starting with its Ethernet header for TC programs), the room
 * given for the packet the program leaves behind, and how many times to run it.
 */
public record TestRun(byte[] data, int dataOutCapacity, int repeat) {
    public TestRun {
        Objects.requireNonNull(data, "data");
        if (dataOutCapacity < 0) throw new IllegalArgumentException("dataOutCapacity must be >= 0");
        if (repeat < 1) throw new IllegalArgumentException("repeat must be >= 1, got " + repeat);
        data = data.clone();
    }

    /** One run over {@code packet}, with 256 bytes of headroom for a packet that grows (e.g. encapsulation). */
    public static TestRun of(byte[] packet) {
        return new TestRun(packet, packet.length + 256, 1);
    }

    public TestRun withRepeat(int times) {
        return new TestRun(data, dataOutCapacity, times);
    }

    @Override
    public byte[] data() { return data.clone(); }
}
