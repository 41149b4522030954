package io.twill.cni;

import java.util.Objects;

/**
 * A CNI error as the spec defines it: printed as {@code {"cniVersion","code","msg","details"}} on stdout, exit 1.
 * The engine throws it for bad input; the backend (the agent) throws it for failures the runtime should see with a
 * specific code. Anything else a backend throws becomes {@link #INTERNAL} with the exception text as details.
 */
public final class CniException extends RuntimeException {
    /** Incompatible CNI version. */
    public static final int INCOMPATIBLE_VERSION = 1;
    /** Unsupported field in network configuration; the message names the key and value. */
    public static final int UNSUPPORTED_FIELD = 2;
    /** Container unknown or does not exist; the runtime need not clean up (no DEL). */
    public static final int UNKNOWN_CONTAINER = 3;
    /** Invalid necessary environment variables; the message names them. */
    public static final int INVALID_ENVIRONMENT = 4;
    /** I/O failure, e.g. reading stdin or talking to the agent. */
    public static final int IO_FAILURE = 5;
    /** Failed to decode content, e.g. the network config is not JSON. */
    public static final int DECODING_FAILURE = 6;
    /** Invalid network config: a field is missing, mistyped or out of range. */
    public static final int INVALID_NETWORK_CONFIG = 7;
    /**
     * Try again later: a transient condition. Twill uses it for IPAM exhaustion too, because released addresses
     * (pods being deleted) or a new pod CIDR can make the same ADD succeed a moment later.
     */
    public static final int TRY_AGAIN_LATER = 11;
    /** STATUS: the plugin cannot service ADD requests. */
    public static final int PLUGIN_NOT_AVAILABLE = 50;
    /** STATUS: not available, and existing containers may have limited connectivity. */
    public static final int PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY = 51;
    /**
     * Twill-specific (100+ is free for plugins): ADD for a (network, container, ifname) that is already attached,
     * or whose interface already exists in the container. The spec says such an ADD MUST fail.
     */
    public static final int ALREADY_ATTACHED = 100;
    /** An unexpected failure inside Twill (a bug or an unclassified kernel error); libcni uses 999 the same way. */
    public static final int INTERNAL = 999;

    private final int code;
    private final String msg;
    private final String details;

    public CniException(int code, String msg, String details) {
        super(format(code, msg, details));
        if (code <= 0) throw new IllegalArgumentException("CNI error code must be positive, got " + code);
        this.code = code;
        this.msg = Objects.requireNonNull(msg, "msg");
        this.details = details == null ? "" : details;
    }

    public CniException(int code, String msg, String details, Throwable cause) {
        this(code, msg, details);
        initCause(cause);
    }

    public CniException(int code, String msg) {
        this(code, msg, "");
    }

    public static CniException tryAgainLater(String msg, String details) {
        return new CniException(TRY_AGAIN_LATER, msg, details);
    }

    public static CniException invalidConfig(String msg) {
        return new CniException(INVALID_NETWORK_CONFIG, msg);
    }

    public static CniException invalidEnvironment(String msg) {
        return new CniException(INVALID_ENVIRONMENT, msg);
    }

    public static CniException pluginNotAvailable(String msg, String details) {
        return new CniException(PLUGIN_NOT_AVAILABLE, msg, details);
    }

    public int code() { return code; }

    /** The short message ({@code msg}). */
    public String msg() { return msg; }

    /** The long message ({@code details}); empty when there is none. */
    public String details() { return details; }

    private static String format(int code, String msg, String details) {
        return "CNI error " + code + ": " + msg + (details == null || details.isEmpty() ? "" : " (" + details + ")");
    }
}
