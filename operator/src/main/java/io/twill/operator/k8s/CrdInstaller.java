package io.twill.operator.k8s;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCrd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates or updates the CRDs generated at build time (shipped in the api jar under META-INF/fabric8/). */
public final class CrdInstaller {

    private static final Logger log = LoggerFactory.getLogger(CrdInstaller.class);

    /** Classpath location of the generated TwillNode CRD. */
    public static final String TWILLNODE_CRD = TwillNodeCrd.RESOURCE;

    private CrdInstaller() {
    }

    /** The generated TwillNode CRD as a model object. */
    public static CustomResourceDefinition twillNodeCrd(KubernetesClient client) {
        return TwillNodeCrd.load(client);
    }

    /** Creates the TwillNode CRD, or replaces an existing one with this build's version. */
    public static void install(KubernetesClient client) {
        CustomResourceDefinition crd = twillNodeCrd(client);
        String name = crd.getMetadata().getName();
        try {
            CustomResourceDefinition existing = client.apiextensions().v1().customResourceDefinitions()
                    .withName(name).get();
            if (existing == null) {
                client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
                log.info("Created CRD {}", name);
            } else {
                crd.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                client.apiextensions().v1().customResourceDefinitions().resource(crd).update();
                log.info("Updated CRD {}", name);
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // another replica won the race; its copy is the same build or the next start fixes it
                log.info("CRD {} was installed concurrently by another replica", name);
                return;
            }
            throw new IllegalStateException("installing CRD " + name + " failed: HTTP " + e.getCode() + " "
                    + e.getMessage() + (e.getCode() == 403 ? " (the operator's ServiceAccount needs create/update on "
                    + "customresourcedefinitions.apiextensions.k8s.io, or set installCRDs: false and apply "
                    + "the CRD yourself)" : ""), e);
        }
    }
}
