package io.twill.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import java.util.List;
import java.util.Objects;

/**
 * {@code spec.ipam}: the pod CIDRs the operator assigned to this node (e.g. {@code ["10.0.3.0/24"]}).
 * Written only by the operator; the agent waits until it is non-empty. Strings are not parsed here, and a value of
 * the wrong JSON type is read as text (see {@link LenientStringList}), so a malformed value reaches the operator,
 * which reports it on the object.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IpamSpec(@JsonProperty("podCIDRs") @JsonDeserialize(using = LenientStringList.class) List<String> podCIDRs) {

    public static final IpamSpec EMPTY = new IpamSpec(List.of());

    public IpamSpec {
        podCIDRs = podCIDRs == null ? List.of() : podCIDRs.stream().filter(Objects::nonNull).toList();
    }
}
