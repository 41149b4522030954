package io.twill.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** {@code status.ipam}: pod IPs in use and still free in this node's pod CIDRs, as counted by its agent. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IpamStatus(long used, long available) {
}
