package io.twill.cni.result;

import java.util.List;

/** The {@code dns} dictionary of a network config or a result; every part optional (null domain, empty lists). */
public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {
    public static final Dns EMPTY = new Dns(List.of(), null, List.of(), List.of());

    public Dns {
        nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
        search = search == null ? List.of() : List.copyOf(search);
        options = options == null ? List.of() : List.copyOf(options);
        if (domain != null && domain.isEmpty()) domain = null;
    }

    public boolean isEmpty() {
        return nameservers.isEmpty() && domain == null && search.isEmpty() && options.isEmpty();
    }

    /** Field by field: this one's non-empty parts win over {@code base}'s. */
    public Dns over(Dns base) {
        return new Dns(nameservers.isEmpty() ? base.nameservers : nameservers,
                domain == null ? base.domain : domain,
                search.isEmpty() ? base.search : search,
                options.isEmpty() ? base.options : options);
    }
}
