package io.twill.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The repository checkout the tests read: set by the pom as twill.repoRoot, else the parent of the working dir. */
final class Repo {

    static final Path ROOT = root();

    private Repo() {
    }

    private static Path root() {
        String p = System.getProperty("twill.repoRoot");
        Path root = (p != null ? Path.of(p) : Path.of("").toAbsolutePath().getParent()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("deploy/pom.xml"))) {
            throw new IllegalStateException(root + " is not the Twill repository (no deploy/pom.xml)");
        }
        return root;
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + relative, e);
        }
    }

    static String relative(Path p) {
        return ROOT.relativize(p.toAbsolutePath().normalize()).toString();
    }

    /** Regular files directly in {@code dir} whose names end with {@code suffix}, sorted. */
    static List<Path> list(String dir, String suffix) {
        try (Stream<Path> s = Files.list(path(dir))) {
            return s.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
    }

    /** Group 1 of the first match of {@code regex} in {@code text}, or an AssertionError naming {@code what}. */
    static String find(String text, String regex, String what) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        if (!m.find()) {
            throw new AssertionError("cannot find " + what + " (/" + regex + "/)");
        }
        return m.group(1);
    }
}
