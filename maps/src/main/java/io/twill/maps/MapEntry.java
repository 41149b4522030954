package io.twill.maps;

import java.util.Objects;

/** One element of a typed map. */
public record MapEntry<K, V>(K key, V value) {
    public MapEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return key + " -> " + value;
    }
}
