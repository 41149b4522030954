package io.twill.maps.endpoints;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

/**
 * {@code struct endpoint_key} (bpf-src/src/lib/endpoints.h): a pod's IPv4 address.
 *
 * @param addr the pod address ({@code __be32 addr})
 */
public record EndpointKey(Inet4Address addr) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("addr")
    ).withName("endpoint_key");

    public EndpointKey {
        Objects.requireNonNull(addr, "endpoint_key.addr");
    }

    public static EndpointKey of(String dotted) {
        return new EndpointKey(Ipv4.parse(dotted));
    }

    public static EndpointKey read(MemorySegment s) {
        return new EndpointKey(Fields.ipv4(s, 0));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, addr);
    }

    @Override
    public String toString() {
        return addr.getHostAddress();
    }
}
