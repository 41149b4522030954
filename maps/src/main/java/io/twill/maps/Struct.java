package io.twill.maps;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * How one C struct and its Java record convert: the record's {@code LAYOUT}, its static {@code read} and its
 * {@code write}. The typed maps are built from two of these.
 */
public record Struct<T>(StructLayout layout, Function<MemorySegment, T> reader, BiConsumer<T, MemorySegment> writer) {
    public Struct {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(reader, "reader");
        Objects.requireNonNull(writer, "writer");
        if (layout.name().isEmpty()) throw new IllegalArgumentException("a struct layout needs the C struct's name");
    }

    /** The C struct name (the layout's name), e.g. "endpoint_key". */
    public String cName() {
        return layout.name().orElseThrow();
    }

    public long size() {
        return layout.byteSize();
    }

    /** Offset of member {@code name} (the C field name). */
    public long offset(String name) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    public T read(MemorySegment s) {
        return reader.apply(s);
    }

    public void write(T value, MemorySegment s) {
        writer.accept(value, s);
    }
}
