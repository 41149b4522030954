package io.twill.cni.server;

import io.twill.cni.AddRequest;
import io.twill.cni.Attachment;
import io.twill.cni.CheckRequest;
import io.twill.cni.CniBackend;
import io.twill.cni.CniEngine;
import io.twill.cni.DelRequest;
import io.twill.cni.GcRequest;
import io.twill.cni.RecordingBackend;
import io.twill.cni.StatusRequest;
import io.twill.cni.result.CniResult;

import java.nio.file.Path;

/**
 * For measuring the shim ↔ server round trip by hand (see the report): a CniServer whose backend does no work.
 * {@code java -cp ... io.twill.cni.server.TrivialAgent /tmp/tw/twill.sock}; stops when stdin closes.
 */
public final class TrivialAgent {
    private TrivialAgent() {}

    public static void main(String[] args) throws Exception {
        CniBackend trivial = new CniBackend() {
            @Override public CniResult add(AddRequest r) { return RecordingBackend.resultFor(r.attachment().containerId(), r.netns().toString()); }
            @Override public void del(DelRequest r) { }
            @Override public void check(CheckRequest r) { }
            @Override public void status(StatusRequest r) { }
            @Override public void gc(GcRequest r) { }
            @Override public boolean isAttached(Attachment a) { return false; }
        };
        try (CniServer s = CniServer.start(CniServerConfig.at(Path.of(args[0])), new CniEngine(trivial))) {
            System.out.println("listening on " + s.socketPath());
            while (System.in.read() >= 0) {
                // run until stdin closes
            }
        }
    }
}
