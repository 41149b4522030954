package io.twill.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a list of strings without ever failing: a single string becomes a one-element list, and an element (or a
 * whole value) that is not a string is kept as its JSON text. A malformed value therefore reaches the code that
 * validates it and is reported there, instead of making the object unreadable, which would stop every informer
 * watching the type. The CRD schema prevents such values on a real API server; this is for everything else.
 */
final class LenientStringList extends StdDeserializer<List<String>> {

    LenientStringList() {
        super(List.class);
    }

    @Override
    public List<String> deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
        JsonNode node = p.readValueAsTree();
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isArray()) {
            for (JsonNode e : node) {
                if (!e.isNull()) {
                    out.add(e.isTextual() ? e.textValue() : e.toString());
                }
            }
        } else {
            out.add(node.isTextual() ? node.textValue() : node.toString());
        }
        return out;
    }

    @Override
    public List<String> getNullValue(DeserializationContext ctx) {
        return new ArrayList<>();
    }
}
