package io.twill.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.twill.cni.result.CniInterface;
import io.twill.cni.result.CniResult;
import io.twill.cni.result.ResultCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * The CNI plugin's logic, warm inside the agent: environment and config in, result or error out, exactly as a
 * plugin executable would print them. Stateless and thread-safe; the per-container ordering the backend relies on
 * is the caller's job ({@code CniServer} does it).
 */
public final class CniEngine {
    private static final Logger log = LoggerFactory.getLogger(CniEngine.class);

    private final CniBackend backend;
    private final CniListener listener;

    public CniEngine(CniBackend backend, CniListener listener) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public CniEngine(CniBackend backend) {
        this(backend, CniListener.NONE);
    }

    /** Runs one invocation; never throws. */
    public CniResponse handle(CniInvocation invocation) {
        long start = System.nanoTime();
        CniCommand command = null;
        CniVersion outputVersion = CniVersion.LATEST;
        CniResponse response;
        int code = 0;
        try {
            command = CniEnvironment.command(invocation.env());
            if (command == CniCommand.VERSION) {
                response = print(ResultCodec.versionJson(NetConfParser.versionForOutput(invocation.stdin())));
            } else {
                ObjectNode root = null;
                CniException undecodable = null;
                try {
                    root = NetConfParser.decode(invocation.stdin());
                    outputVersion = NetConfParser.versionForOutput(root);
                } catch (CniException e) {
                    undecodable = e;
                }
                CniEnvironment env = CniEnvironment.parse(invocation.env()); // environment errors first, as libcni
                if (undecodable != null) throw undecodable;
                NetConf conf = NetConfParser.parse(root);
                response = dispatch(env, conf, invocation.queued());
            }
        } catch (CniException e) {
            code = e.code();
            response = error(outputVersion, e);
            log.debug("CNI {} failed: {}", command, e.getMessage());
        } catch (RuntimeException e) {
            code = CniException.INTERNAL;
            log.error("CNI {} for container {} failed unexpectedly", command, invocation.containerId(), e);
            response = error(outputVersion, new CniException(CniException.INTERNAL,
                    "internal error in the Twill agent during " + (command == null ? "the call" : command), e.toString()));
        }
        CniCall call = new CniCall(command, code, Duration.ofNanos(System.nanoTime() - start), invocation.queued());
        try {
            listener.completed(call);
        } catch (RuntimeException e) {
            log.warn("CNI listener failed on {}", call, e);
        }
        return response;
    }

    private CniResponse dispatch(CniEnvironment env, NetConf conf, boolean queued) {
        CniCommand cmd = env.command();
        if (cmd == CniCommand.CHECK && !conf.cniVersion().allowsCheck()) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "config version " + conf.cniVersion()
                    + " does not allow CHECK", "CHECK exists since CNI 0.4.0");
        }
        if ((cmd == CniCommand.STATUS || cmd == CniCommand.GC) && !conf.cniVersion().allowsStatusAndGc()) {
            throw new CniException(CniException.INCOMPATIBLE_VERSION, "config version " + conf.cniVersion()
                    + " does not allow " + cmd, cmd + " exists since CNI 1.1.0");
        }
        return switch (cmd) {
            case ADD -> add(env, conf);
            case DEL -> {
                backend.del(new DelRequest(attachment(env, conf), env.netns(), env.args(), conf, queued));
                yield CniResponse.empty();
            }
            case CHECK -> {
                if (conf.prevResult() == null) {
                    throw CniException.invalidConfig("prevResult: missing (CHECK needs the result of the last ADD)");
                }
                backend.check(new CheckRequest(attachment(env, conf), env.netns(), env.args(), conf, conf.prevResult()));
                yield CniResponse.empty();
            }
            case STATUS -> {
                backend.status(new StatusRequest(conf));
                yield CniResponse.empty();
            }
            case GC -> {
                backend.gc(new GcRequest(conf, NetConfParser.validAttachments(conf)));
                yield CniResponse.empty();
            }
            case VERSION -> throw new IllegalStateException("VERSION is answered before dispatch");
        };
    }

    private CniResponse add(CniEnvironment env, NetConf conf) {
        Attachment attachment = attachment(env, conf);
        if (backend.isAttached(attachment)) {
            throw new CniException(CniException.ALREADY_ATTACHED, "container " + attachment.containerId()
                    + " already has interface " + attachment.ifName() + " on network " + attachment.network(),
                    "a second ADD without DEL in between is not allowed; DEL it first");
        }
        CniResult prev = conf.prevResult();
        if (prev != null) {
            for (CniInterface i : prev.interfaces()) {
                if (i.name().equals(attachment.ifName()) && env.netns().toString().equals(i.sandbox())) {
                    throw new CniException(CniException.ALREADY_ATTACHED, "interface " + i.name()
                            + " already exists in " + env.netns() + " (created by an earlier plugin in the chain)",
                            "give Twill its own CNI_IFNAME or remove the other interface plugin from the conflist");
                }
            }
        }
        CniResult own = backend.add(new AddRequest(attachment, env.netns(), env.args(), conf));
        if (own == null) throw new IllegalStateException("backend returned no result for ADD " + attachment);
        CniResult merged = prev == null ? own : own.mergedOnto(prev);
        return print(ResultCodec.toJson(merged, conf.cniVersion()));
    }

    private static Attachment attachment(CniEnvironment env, NetConf conf) {
        return new Attachment(conf.name(), env.containerId(), env.ifName());
    }

    private static CniResponse print(ObjectNode json) {
        try {
            return CniResponse.success(NetConfParser.MAPPER.writeValueAsString(json) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print " + json, e);
        }
    }

    /** The spec's error structure on stdout, exit code 1. */
    public static CniResponse error(CniVersion version, CniException e) {
        try {
            String text = NetConfParser.MAPPER.writeValueAsString(ResultCodec.errorJson(version, e)) + "\n";
            return new CniResponse(1, text.getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot print error " + e, ex);
        }
    }
}
