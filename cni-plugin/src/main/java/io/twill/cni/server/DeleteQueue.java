package io.twill.cni.server;

import io.twill.cni.CniException;
import io.twill.cni.CniInvocation;
import io.twill.cni.CniResponse;
import io.twill.cni.NetConfParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The directory where twill-cni leaves DEL requests it could not deliver (one request frame per file, named
 * {@code <epoch ns>-<pid>.del}, written under a dot-name and renamed, so a visible file is always complete).
 * Draining replays each in name order (= the order they were queued) and deletes it, except those the backend
 * answered with "try again later" (11), which stay for the next drain.
 */
public final class DeleteQueue {
    private static final Logger log = LoggerFactory.getLogger(DeleteQueue.class);
    private static final Duration STALE_TEMP = Duration.ofMinutes(1);

    private final Path dir;
    private final Function<CniInvocation, CniResponse> runner;

    /** What one drain did. */
    public record Drained(int replayed, int kept, int discarded) {
        public static final Drained NOTHING = new Drained(0, 0, 0);
    }

    public DeleteQueue(Path dir, Function<CniInvocation, CniResponse> runner) {
        this.dir = dir;
        this.runner = runner;
    }

    public Path dir() { return dir; }

    /** Replays every queued DEL; safe to call concurrently with the shim adding files. */
    public synchronized Drained drain() {
        if (!Files.isDirectory(dir)) return Drained.NOTHING;
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) removeIfStaleTemp(p);
                else files.add(p);
            }
        } catch (IOException e) {
            log.error("cannot list the CNI deletion queue {}: {}", dir, e.toString());
            return Drained.NOTHING;
        }
        files.sort(null);
        int replayed = 0, kept = 0, discarded = 0;
        for (Path f : files) {
            switch (replay(f)) {
                case REPLAYED -> replayed++;
                case KEPT -> kept++;
                case DISCARDED -> discarded++;
            }
        }
        if (replayed + kept + discarded > 0) {
            log.info("CNI deletion queue {}: replayed {}, kept {} for later, discarded {}", dir, replayed, kept, discarded);
        }
        return new Drained(replayed, kept, discarded);
    }

    private enum Outcome { REPLAYED, KEPT, DISCARDED }

    private Outcome replay(Path f) {
        CniInvocation inv;
        try {
            long size = Files.size(f);
            if (size > Frames.HEADER_LEN + Frames.MAX_ENV + Frames.MAX_STDIN) {
                throw new FrameException(size + " bytes is larger than any request frame");
            }
            inv = Frames.decodeRequest(Files.readAllBytes(f), true);
            if (!"DEL".equals(inv.command())) throw new FrameException("queued command is " + inv.command() + ", not DEL");
        } catch (NoSuchFileException e) {
            return Outcome.DISCARDED;
        } catch (IOException | FrameException e) {
            log.warn("discarding unreadable queued DEL {}: {}", f, e.getMessage());
            delete(f);
            return Outcome.DISCARDED;
        }
        CniResponse r = runner.apply(inv);
        if (r.exitCode() == 0) {
            delete(f);
            return Outcome.REPLAYED;
        }
        int code = errorCode(r);
        if (code == CniException.TRY_AGAIN_LATER) {
            log.info("queued DEL {} for container {}: agent says try again later; kept", f.getFileName(), inv.containerId());
            return Outcome.KEPT;
        }
        log.warn("queued DEL {} for container {} failed and is discarded: {}", f.getFileName(), inv.containerId(),
                r.stdoutText().strip());
        delete(f);
        return Outcome.DISCARDED;
    }

    private static int errorCode(CniResponse r) {
        try {
            return NetConfParser.MAPPER.readTree(r.stdout()).path("code").asInt(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private void removeIfStaleTemp(Path p) {
        try {
            FileTime t = Files.getLastModifiedTime(p);
            if (t.toInstant().isBefore(Instant.now().minus(STALE_TEMP))) {
                Files.deleteIfExists(p);
                log.info("removed abandoned temporary file {} from the CNI deletion queue", p);
            }
        } catch (IOException e) {
            log.debug("cannot inspect {}: {}", p, e.toString());
        }
    }

    private static void delete(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            log.error("cannot delete queued DEL {}: {}; it will be replayed again", f, e.toString());
        }
    }
}
