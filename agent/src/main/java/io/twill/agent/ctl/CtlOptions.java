package io.twill.agent.ctl;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A parsed twillctl command line. Options may come before or after the command words:
 * {@code twillctl -o json bpf tunnel list} = {@code twillctl bpf tunnel ls -o json}.
 *
 * @param command   what to do
 * @param output    table (people) or json (scripts)
 * @param pinRoot   where the agent pins its maps
 * @param stateDir  the agent's state directory (endpoint files under {@code endpoints/})
 * @param agent     base URL of the agent's HTTP endpoint (status)
 * @param count     monitor: stop after this many events (0 = until Ctrl-C)
 */
record CtlOptions(Command command, Output output, Path pinRoot, Path stateDir, URI agent, long count) {

    static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/twill");
    static final Path DEFAULT_STATE_DIR = Path.of("/var/run/twill");
    static final URI DEFAULT_AGENT = URI.create("http://127.0.0.1:9962");

    enum Output { TABLE, JSON }

    enum Command {
        HELP("help"),
        STATUS("status"),
        ENDPOINT_LIST("endpoint list"),
        BPF_ENDPOINT_LIST("bpf endpoint list"),
        BPF_TUNNEL_LIST("bpf tunnel list"),
        BPF_METRICS_LIST("bpf metrics list"),
        SERVICE_LIST("service list"),
        BPF_CT_LIST("bpf ct list"),
        BPF_CT_FLUSH("bpf ct flush"),
        BPF_NAT_LIST("bpf nat list"),
        BPF_LB_LIST("bpf lb list"),
        MONITOR("monitor");

        final String words;

        Command(String words) {
            this.words = words;
        }
    }

    CtlOptions {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(output, "output");
    }

    static final String USAGE = """
            Usage: twillctl [options] <command>

            Commands:
              status               agent health, modes, IPAM, endpoints and nodes (agent API + pinned maps)
              endpoint list        endpoints from the agent's state directory (works while the agent is down)
              bpf endpoint list    twill_endpoints, read from the pinned map
              bpf tunnel list      twill_tunnel (pod CIDR -> node IP), read from the pinned map
              bpf metrics list     twill_metrics (packets/bytes by reason and direction), summed over CPUs
              service list         Service frontends and their backends (twill_lb_*), like cilium-dbg service list
              bpf ct list          twill_ct: tracked connections, initiator -> responder, flags, expiry, counters
              bpf ct flush         deletes every twill_ct entry (live connections are tracked again from their next packet)
              bpf nat list         twill_snat: masquerade and NodePort SNAT translations
              bpf lb list          twill_lb_services, twill_lb_backends and twill_lb_revnat as stored
              monitor              live drop and trace events from twill_events, one per line, until Ctrl-C
              help                 this text
              ("ls" is accepted for "list")

            Options:
              -o, --output table|json   output format (default table; monitor prints one JSON object per line)
              --pin-root DIR            BPF pin root (default /sys/fs/bpf/twill)
              --state-dir DIR           agent state directory (default /var/run/twill)
              --agent URL               agent HTTP endpoint (default http://127.0.0.1:9962)
              -c, --count N             monitor: stop after N events
              -h, --help                this text

            Exit codes: 0 ok, 1 failure, 2 usage error. Needs root (pinned maps, state files).
            """;

    static CtlOptions parse(List<String> args) {
        List<String> words = new ArrayList<>();
        Output output = Output.TABLE;
        Path pinRoot = DEFAULT_PIN_ROOT;
        Path stateDir = DEFAULT_STATE_DIR;
        URI agent = DEFAULT_AGENT;
        long count = 0;
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a;
            String inline = null;
            if (a.startsWith("--") && a.contains("=")) {
                name = a.substring(0, a.indexOf('='));
                inline = a.substring(a.indexOf('=') + 1);
            }
            switch (name) {
                case "-h", "--help" -> help = true;
                case "-o", "--output" -> {
                    String v = inline != null ? inline : value(args, i++, name);
                    output = switch (v.toLowerCase(Locale.ROOT)) {
                        case "table", "wide" -> Output.TABLE;
                        case "json" -> Output.JSON;
                        default -> throw new UsageException("unknown output format '" + v + "' (table or json)");
                    };
                }
                case "--pin-root" -> pinRoot = absolute(name, inline != null ? inline : value(args, i++, name));
                case "--state-dir" -> stateDir = absolute(name, inline != null ? inline : value(args, i++, name));
                case "--agent" -> agent = url(inline != null ? inline : value(args, i++, name));
                case "-c", "--count" -> {
                    String v = inline != null ? inline : value(args, i++, name);
                    try {
                        count = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        count = -1;
                    }
                    if (count < 1) {
                        throw new UsageException(name + " needs a positive number, got '" + v + "'");
                    }
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        throw new UsageException("unknown option '" + a + "'");
                    }
                    words.add(a.equals("ls") ? "list" : a);
                }
            }
        }
        Command command = help ? Command.HELP : command(words);
        if (count != 0 && command != Command.MONITOR) {
            throw new UsageException("--count applies to monitor only");
        }
        return new CtlOptions(command, output, pinRoot, stateDir, agent, count);
    }

    private static Command command(List<String> words) {
        if (words.isEmpty()) {
            throw new UsageException("no command given");
        }
        String joined = String.join(" ", words);
        for (Command c : Command.values()) {
            if (c.words.equals(joined)) {
                return c;
            }
        }
        // Say which word is wrong: the longest known prefix tells.
        if (words.getFirst().equals("bpf") && words.size() == 1) {
            throw new UsageException("'bpf' needs a map and a verb: bpf endpoint|tunnel|metrics|ct|nat|lb list");
        }
        if (words.getFirst().equals("bpf")
                && !List.of("endpoint", "tunnel", "metrics", "ct", "nat", "lb").contains(words.get(1))) {
            throw new UsageException("unknown map '" + words.get(1) + "' (endpoint, tunnel, metrics, ct, nat or lb)");
        }
        if (joined.startsWith("bpf ct ")) {
            throw new UsageException("'" + joined + "': bpf ct takes 'list' (or 'ls') or 'flush'");
        }
        if ((words.getFirst().equals("bpf") || words.getFirst().equals("endpoint") || words.getFirst().equals("service"))
                && !words.getLast().equals("list")) {
            throw new UsageException("'" + joined + "': only 'list' (or 'ls') is supported here");
        }
        throw new UsageException("unknown command '" + joined + "'");
    }

    private static String value(List<String> args, int i, String name) {
        if (i + 1 >= args.size()) {
            throw new UsageException(name + " needs a value");
        }
        return args.get(i + 1);
    }

    private static Path absolute(String name, String v) {
        Path p = Path.of(v);
        if (!p.isAbsolute()) {
            throw new UsageException(name + " must be an absolute path, got '" + v + "'");
        }
        return p.normalize();
    }

    private static URI url(String v) {
        try {
            URI u = new URI(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
            if (!"http".equals(u.getScheme()) || u.getHost() == null) {
                throw new UsageException("--agent must be an http:// URL with a host, got '" + v + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new UsageException("--agent '" + v + "' is not a URL: " + e.getMessage());
        }
    }
}
