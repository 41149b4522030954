package io.twill.api;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The TwillNode CRD that the build generates from {@link TwillNode} into this jar
 * ({@value #RESOURCE}): the operator installs it, the mock API server registers it.
 */
public final class TwillNodeCrd {
    /** Where the CRD generator writes the apiextensions/v1 YAML, on the classpath. */
    public static final String RESOURCE = "META-INF/fabric8/" + TwillNode.CRD_NAME + "-v1.yml";

    private TwillNodeCrd() {
    }

    /** The generated CRD as a model object. */
    public static CustomResourceDefinition load(KubernetesClient client) {
        try (InputStream in = TwillNode.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath; was twill-api built "
                        + "with its CRD generator?");
            }
            return client.apiextensions().v1().customResourceDefinitions().load(in).item();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }
}
