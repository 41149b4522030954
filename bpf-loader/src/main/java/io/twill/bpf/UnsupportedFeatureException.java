package io.twill.bpf;

/** The running kernel or libbpf lacks a feature that was asked for explicitly (e.g. TCX before Linux 6.6). */
public final class UnsupportedFeatureException extends BpfException {
    private final String feature;
    private final String minimum;

    /**
     * @param feature what is missing, e.g. "TCX (BPF_LINK_TYPE_TCX)"
     * @param minimum what provides it, e.g. "Linux 6.6"
     */
    public UnsupportedFeatureException(String feature, String minimum, int errno) {
        super("probe", feature, errno, feature + " is not supported here; it needs " + minimum, "");
        this.feature = feature;
        this.minimum = minimum;
    }

    public String feature() { return feature; }

    public String minimum() { return minimum; }
}
