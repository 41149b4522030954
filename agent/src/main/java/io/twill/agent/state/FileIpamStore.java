package io.twill.agent.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.agent.ipam.IpAllocation;
import io.twill.agent.ipam.IpamException;
import io.twill.agent.ipam.IpamOwner;
import io.twill.agent.ipam.IpamStore;
import io.twill.types.Ipv4;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link IpamStore} as one small JSON file per allocated address, named after it ({@code <dir>/10.0.1.5}), written
 * atomically and fsync'd. A file that cannot be parsed still reserves its address (owner unknown); leftovers of
 * interrupted writes are deleted at load.
 */
public final class FileIpamStore implements IpamStore {
    private static final Logger log = LoggerFactory.getLogger(FileIpamStore.class);
    static final int FORMAT = 1;

    private final Path dir;
    private final ObjectMapper mapper = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** The on-disk record. */
    record Record(int format, String ip, IpamOwner owner, String allocatedAt) {}

    public FileIpamStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IpamException("cannot create IPAM state directory " + dir + ": " + e, e);
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public Loaded load() {
        List<IpAllocation> ok = new ArrayList<>();
        List<Inet4Address> unreadable = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (AtomicFiles.isTemporary(f)) {
                    problems.add("deleted unfinished write " + f);
                    Files.deleteIfExists(f);
                    continue;
                }
                Inet4Address ip;
                try {
                    ip = Ipv4.parse(name);
                } catch (IllegalArgumentException e) {
                    problems.add("ignored " + f + ": not an IPAM record (the name is not an IPv4 address)");
                    continue;
                }
                try {
                    Record r = mapper.readValue(Files.readAllBytes(f), Record.class);
                    if (r == null || r.owner() == null || r.ip() == null || !Ipv4.parse(r.ip()).equals(ip)) {
                        throw new IOException("record does not describe " + name);
                    }
                    Instant at = r.allocatedAt() == null ? Instant.EPOCH : Instant.parse(r.allocatedAt());
                    ok.add(new IpAllocation(ip, r.owner(), at));
                } catch (IOException | RuntimeException e) {
                    problems.add("damaged IPAM record " + f + " (" + e.getMessage().lines().findFirst().orElse("")
                            + "): " + name + " stays reserved until reconciliation");
                    unreadable.add(ip);
                }
            }
        } catch (IOException e) {
            throw new IpamException("cannot read IPAM state directory " + dir + ": " + e, e);
        }
        problems.forEach(p -> log.warn("{}", p));
        return new Loaded(ok, unreadable, problems);
    }

    @Override
    public void save(IpAllocation a) {
        Path f = file(a.ip());
        try {
            byte[] json = mapper.writeValueAsBytes(new Record(FORMAT, a.ip().getHostAddress(), a.owner(), a.allocatedAt().toString()));
            AtomicFiles.write(f, json);
        } catch (IOException e) {
            throw new IpamException("cannot persist allocation of " + a.ip().getHostAddress() + " to " + f + ": " + e, e);
        }
    }

    @Override
    public boolean remove(Inet4Address ip) {
        Path f = file(ip);
        try {
            return AtomicFiles.delete(f);
        } catch (IOException e) {
            throw new IpamException("cannot delete IPAM record " + f + ": " + e, e);
        }
    }

    private Path file(Inet4Address ip) {
        return dir.resolve(ip.getHostAddress());
    }
}
