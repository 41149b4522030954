package io.twill.cni;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

final class JsonNodes {
    private JsonNodes() {}

    static ObjectNode emptyObject() {
        return JsonNodeFactory.instance.objectNode();
    }
}
