package io.twill.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

import java.util.List;

/**
 * One per node, cluster-scoped, named after the Kubernetes Node: {@code twillnodes.twill.io/v1alpha1}
 * (short name {@code tn}). The agent creates its own with its addresses; the operator fills
 * {@code spec.ipam.podCIDRs} from the cluster pool and deletes it when the Node is gone.
 *
 * <p>{@link #getSpec()} and {@link #getStatus()} are never null: a missing spec/status reads as empty.
 */
@Group(TwillNode.GROUP)
@Version(TwillNode.VERSION)
@Kind(TwillNode.KIND)
@Plural(TwillNode.PLURAL)
@Singular(TwillNode.SINGULAR)
@ShortNames(TwillNode.SHORT_NAME)
@JsonIgnoreProperties(ignoreUnknown = true)
@AdditionalPrinterColumn(name = "InternalIP", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".spec.addresses[?(@.type==\"InternalIP\")].ip")
@AdditionalPrinterColumn(name = "PodCIDRs", type = AdditionalPrinterColumn.Type.STRING, jsonPath = ".spec.ipam.podCIDRs")
@AdditionalPrinterColumn(name = "Ready", type = AdditionalPrinterColumn.Type.STRING,
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(name = "CIDRProblem", type = AdditionalPrinterColumn.Type.STRING, priority = 1,
        jsonPath = ".status.conditions[?(@.type==\"PodCIDRAllocated\")].reason")
@AdditionalPrinterColumn(name = "Age", type = AdditionalPrinterColumn.Type.DATE, jsonPath = ".metadata.creationTimestamp")
public class TwillNode extends CustomResource<TwillNodeSpec, TwillNodeStatus> {

    public static final String GROUP = "twill.io";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "TwillNode";
    public static final String PLURAL = "twillnodes";
    public static final String SINGULAR = "twillnode";
    public static final String SHORT_NAME = "tn";
    /** The CRD's metadata.name. */
    public static final String CRD_NAME = PLURAL + "." + GROUP;
    public static final String API_VERSION = GROUP + "/" + VERSION;

    /** A new TwillNode as an agent creates it: name = node name, its addresses, no CIDR yet. */
    public static TwillNode create(String nodeName, List<NodeAddress> addresses) {
        TwillNode n = new TwillNode();
        n.setMetadata(new ObjectMetaBuilder().withName(nodeName).build());
        n.setSpec(TwillNodeSpec.of(addresses));
        return n;
    }

    @Override
    protected TwillNodeSpec initSpec() {
        return TwillNodeSpec.EMPTY;
    }

    @Override
    protected TwillNodeStatus initStatus() {
        return TwillNodeStatus.EMPTY;
    }

    @Override
    public TwillNodeSpec getSpec() {
        TwillNodeSpec s = super.getSpec();
        return s == null ? TwillNodeSpec.EMPTY : s;
    }

    @Override
    public TwillNodeStatus getStatus() {
        TwillNodeStatus s = super.getStatus();
        return s == null ? TwillNodeStatus.EMPTY : s;
    }

    /** metadata.name, i.e. the node name. */
    @JsonIgnore
    public String nodeName() {
        return getMetadata() == null ? null : getMetadata().getName();
    }
}
