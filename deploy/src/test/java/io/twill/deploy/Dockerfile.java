package io.twill.deploy;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a Dockerfile to check it against the repository: its COPY instructions (from the build context),
 * ENTRYPOINT, ENV, and the .dockerignore BuildKit uses for it ({@code <name>.dockerignore} next to it).
 */
record Dockerfile(String name, List<Copy> copies, List<String> entrypoint, List<String> env, List<String> ignore) {

    /** {@code COPY src... dest} from the build context (COPY --from=stage is left out). */
    record Copy(List<String> sources, String destination) {
        /** Where {@code source} lands in the image (a destination ending in / is a directory). */
        String target(String source) {
            if (!destination.endsWith("/")) {
                return destination;
            }
            return source.endsWith("/") ? destination : destination + Path.of(source).getFileName();
        }
    }

    static Dockerfile load(String relative) {
        String text = Repo.read(relative).replaceAll("\\\\\\n", " ");
        List<Copy> copies = new ArrayList<>();
        List<String> entrypoint = List.of();
        List<String> env = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith("COPY ")) {
                List<String> words = new ArrayList<>(Arrays.asList(l.substring(5).strip().split("\\s+")));
                if (words.getFirst().startsWith("--from")) {
                    continue;
                }
                words.removeIf(w -> w.startsWith("--"));
                copies.add(new Copy(List.copyOf(words.subList(0, words.size() - 1)), words.getLast()));
            } else if (l.startsWith("ENTRYPOINT ")) {
                Matcher m = Pattern.compile("\"([^\"]*)\"").matcher(l);
                List<String> e = new ArrayList<>();
                while (m.find()) {
                    e.add(m.group(1));
                }
                entrypoint = List.copyOf(e);
            } else if (l.startsWith("ENV ")) {
                env.add(l.substring(4).strip());
            }
        }
        Path ignoreFile = Repo.path(relative + ".dockerignore");
        List<String> ignore = !ignoreFile.toFile().exists() ? List.of() : Manifests.text(ignoreFile).lines()
                .map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        return new Dockerfile(relative, List.copyOf(copies), entrypoint, List.copyOf(env), ignore);
    }

    /** The COPY that puts {@code source} into the image, if any. */
    Optional<Copy> copyOf(String source) {
        return copies.stream().filter(c -> c.sources().contains(source)).findFirst();
    }

    /** The image path a context file lands on (its COPY's target), if the Dockerfile copies it. */
    Optional<String> imagePathOf(String source) {
        return copyOf(source).map(c -> c.target(source));
    }

    /**
     * Whether the .dockerignore lets {@code path} into the build context, as BuildKit decides: the last pattern that
     * matches the path or one of its parent directories wins; a leading '!' re-includes.
     */
    boolean sendsToBuilder(String path) {
        boolean included = true;
        for (String pattern : ignore) {
            boolean negate = pattern.startsWith("!");
            String glob = (negate ? pattern.substring(1) : pattern).replaceAll("/+$", "");
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            for (Path p = Path.of(path.replaceAll("/+$", "")); p != null; p = p.getParent()) {
                if (matcher.matches(p)) {
                    included = negate;
                    break;
                }
            }
        }
        return included;
    }
}
