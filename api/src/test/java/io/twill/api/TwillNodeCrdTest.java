package io.twill.api;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The CRD the build generated from the classes is on the classpath and says what the docs say. */
class TwillNodeCrdTest {

    @Test
    void generatedCrdMatchesTheModel() throws Exception {
        CustomResourceDefinition crd;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(
                "META-INF/fabric8/" + TwillNode.CRD_NAME + "-v1.yml")) {
            assertThat(in).as("generated CRD resource").isNotNull();
            crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        }
        assertThat(crd.getMetadata().getName()).isEqualTo("twillnodes.twill.io");
        assertThat(crd.getSpec().getGroup()).isEqualTo("twill.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("TwillNode");
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("twillnodes");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("tn");

        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().getFirst();
        assertThat(v.getName()).isEqualTo("v1alpha1");
        assertThat(v.getStorage()).isTrue();
        assertThat(v.getSubresources().getStatus()).as("status subresource").isNotNull();
        assertThat(v.getAdditionalPrinterColumns()).extracting(c -> c.getName())
                .contains("InternalIP", "PodCIDRs", "Ready", "Age");

        JSONSchemaProps spec = v.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        JSONSchemaProps podCidrs = spec.getProperties().get("ipam").getProperties().get("podCIDRs");
        assertThat(podCidrs.getType()).isEqualTo("array");
        assertThat(podCidrs.getItems().getSchema().getType()).isEqualTo("string");
        assertThat(spec.getProperties().get("addresses").getItems().getSchema().getProperties())
                .containsKeys("type", "ip");
        JSONSchemaProps status = v.getSchema().getOpenAPIV3Schema().getProperties().get("status");
        assertThat(status.getProperties()).containsKeys("conditions", "ipam", "agent");
        assertThat(status.getProperties().get("conditions").getItems().getSchema().getProperties())
                .containsKeys("type", "status", "reason", "message", "lastTransitionTime");
    }
}
