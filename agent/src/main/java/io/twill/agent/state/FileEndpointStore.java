package io.twill.agent.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.agent.endpoint.Endpoint;
import io.twill.agent.endpoint.EndpointKey;
import io.twill.agent.endpoint.EndpointStore;
import io.twill.types.Ipv4;
import io.twill.types.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link EndpointStore} as one JSON file per endpoint ({@code <dir>/<containerId>_<ifname>.json}), written atomically
 * (temporary file, fsync, rename, directory fsync). Readable by people and by {@code twillctl}. Damaged files are
 * reported and deleted at load (restart then removes whatever they described as leftovers); temporaries left by a
 * crash are deleted.
 */
public final class FileEndpointStore implements EndpointStore {
    private static final Logger log = LoggerFactory.getLogger(FileEndpointStore.class);
    static final int FORMAT = 1;
    static final String SUFFIX = ".json";

    private final Path dir;
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** The on-disk record: plain strings and numbers, stable across code changes. */
    record Record(int format, String containerId, String ifname, String network, String netns, String podNamespace,
                  String podName, int id, String ip, String gateway, String hostIfname, int hostIfindex, String hostMac,
                  int podIfindex, String podMac, int mtu, int routeMtu, String created) {

        static Record of(Endpoint e) {
            return new Record(FORMAT, e.key().containerId(), e.key().ifname(), e.network(),
                    e.netns() == null ? null : e.netns().toString(), e.podNamespace(), e.podName(), e.id(),
                    e.ip().getHostAddress(), e.gateway().getHostAddress(), e.hostIfname(), e.hostIfindex(),
                    e.hostMac().toString(), e.podIfindex(), e.podMac().toString(), e.mtu(), e.routeMtu(), e.created().toString());
        }

        Endpoint toEndpoint() {
            if (format != FORMAT) throw new IllegalArgumentException("unknown format " + format);
            return new Endpoint(new EndpointKey(containerId, ifname), network, netns == null ? null : Path.of(netns),
                    podNamespace, podName, id, Ipv4.parse(ip), Ipv4.parse(gateway), hostIfname,
                    hostIfindex, MacAddress.parse(hostMac), podIfindex, MacAddress.parse(podMac), mtu, routeMtu,
                    Instant.parse(created));
        }
    }

    public FileEndpointStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create endpoint state directory " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The file of {@code key}: container ids and interface names never contain '/', so the name is safe. */
    public Path file(EndpointKey key) {
        return dir.resolve(key.containerId() + "_" + key.ifname() + SUFFIX);
    }

    @Override
    public Loaded load() {
        List<Endpoint> eps = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (AtomicFiles.isTemporary(f)) {
                    Files.deleteIfExists(f);
                    problems.add("deleted unfinished write " + f);
                    continue;
                }
                if (!f.getFileName().toString().endsWith(SUFFIX)) {
                    problems.add("ignored " + f + ": not an endpoint state file");
                    continue;
                }
                try {
                    Endpoint ep = mapper.readValue(Files.readAllBytes(f), Record.class).toEndpoint();
                    if (!file(ep.key()).equals(f)) throw new IllegalArgumentException("it describes " + ep.key());
                    eps.add(ep);
                } catch (IOException | RuntimeException e) {
                    String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                    problems.add("deleted damaged endpoint state " + f + " (" + why + "); what it described is removed as a leftover");
                    AtomicFiles.delete(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read endpoint state directory " + dir, e);
        }
        problems.forEach(p -> log.warn("{}", p));
        return new Loaded(eps, problems);
    }

    @Override
    public void save(Endpoint ep) {
        Path f = file(ep.key());
        try {
            AtomicFiles.write(f, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(Record.of(ep)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write endpoint state " + f + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(EndpointKey key) {
        Path f = file(key);
        try {
            return AtomicFiles.delete(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete endpoint state " + f + ": " + e.getMessage(), e);
        }
    }
}
