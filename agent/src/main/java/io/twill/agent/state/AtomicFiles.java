package io.twill.agent.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe small files: write a temporary sibling, fsync it, rename it over the target, fsync the directory.
 * A reader sees the old content or the new, never a mix; temporaries left by a crash start with '.' and end in
 * {@link #TMP_SUFFIX}, so loaders can recognise and delete them.
 */
public final class AtomicFiles {
    public static final String TMP_SUFFIX = ".tmp";

    private AtomicFiles() {}

    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TMP_SUFFIX);
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename " + tmp + " atomically over " + target, e);
            }
            done = true;
            syncDirectory(dir);
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    /** Deletes {@code target} durably; false when it did not exist. */
    public static boolean delete(Path target) throws IOException {
        boolean existed = Files.deleteIfExists(target);
        if (existed) syncDirectory(target.toAbsolutePath().getParent());
        return existed;
    }

    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Whether {@code file} is a temporary left by an interrupted {@link #write}. */
    public static boolean isTemporary(Path file) {
        String n = file.getFileName().toString();
        return n.startsWith(".") && n.endsWith(TMP_SUFFIX);
    }
}
