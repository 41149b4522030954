package io.twill.agent.ctl;

import io.twill.agent.ctl.CtlOptions.Command;
import io.twill.agent.ctl.CtlOptions.Output;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CtlOptionsTest {

    private static CtlOptions parse(String line) {
        return CtlOptions.parse(line.isEmpty() ? List.of() : List.of(line.split(" ")));
    }

    @ParameterizedTest
    @CsvSource({
            "status, STATUS",
            "endpoint list, ENDPOINT_LIST",
            "endpoint ls, ENDPOINT_LIST",
            "bpf endpoint list, BPF_ENDPOINT_LIST",
            "bpf tunnel ls, BPF_TUNNEL_LIST",
            "bpf metrics list, BPF_METRICS_LIST",
            "service list, SERVICE_LIST",
            "service ls, SERVICE_LIST",
            "bpf ct list, BPF_CT_LIST",
            "bpf ct flush, BPF_CT_FLUSH",
            "bpf nat ls, BPF_NAT_LIST",
            "bpf lb list, BPF_LB_LIST",
            "monitor, MONITOR",
            "help, HELP",
            "-h, HELP",
            "bpf tunnel list --help, HELP",
    })
    void commands(String line, Command expected) {
        assertThat(parse(line).command()).isEqualTo(expected);
    }

    @Test
    void defaultsAndOptionsInAnyPosition() {
        CtlOptions d = parse("status");
        assertThat(d.output()).isEqualTo(Output.TABLE);
        assertThat(d.pinRoot()).isEqualTo(Path.of("/sys/fs/bpf/twill"));
        assertThat(d.stateDir()).isEqualTo(Path.of("/var/run/twill"));
        assertThat(d.agent()).isEqualTo(URI.create("http://127.0.0.1:9962"));

        CtlOptions o = parse("-o json bpf --pin-root /run/tw/node1/ tunnel ls --state-dir=/run/x --agent http://10.0.0.1:9/");
        assertThat(o.command()).isEqualTo(Command.BPF_TUNNEL_LIST);
        assertThat(o.output()).isEqualTo(Output.JSON);
        assertThat(o.pinRoot()).isEqualTo(Path.of("/run/tw/node1"));
        assertThat(o.stateDir()).isEqualTo(Path.of("/run/x"));
        assertThat(o.agent()).isEqualTo(URI.create("http://10.0.0.1:9"));
        assertThat(parse("monitor -c 5 --output=JSON").count()).isEqualTo(5);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "                                  | no command given",
            "frobnicate                        | unknown command 'frobnicate'",
            "bpf                               | 'bpf' needs a map and a verb: bpf endpoint|tunnel|metrics|ct|nat|lb list",
            "bpf policy list                   | unknown map 'policy' (endpoint, tunnel, metrics, ct, nat or lb)",
            "bpf ct delete                     | 'bpf ct delete': bpf ct takes 'list' (or 'ls') or 'flush'",
            "bpf nat flush                     | 'bpf nat flush': only 'list' (or 'ls') is supported here",
            "service delete                    | 'service delete': only 'list'",
            "bpf tunnel get                    | 'bpf tunnel get': only 'list' (or 'ls') is supported here",
            "endpoint delete                   | only 'list'",
            "status -o yaml                    | unknown output format 'yaml' (table or json)",
            "status -o                         | -o needs a value",
            "status --pin-root relative/dir    | --pin-root must be an absolute path, got 'relative/dir'",
            "status --agent ftp://x            | --agent must be an http:// URL",
            "status --verbose                  | unknown option '--verbose'",
            "monitor -c 0                      | -c needs a positive number, got '0'",
            "monitor --count x                 | --count needs a positive number, got 'x'",
            "status -c 3                       | --count applies to monitor only",
    })
    void usageErrorsNameTheProblem(String line, String message) {
        assertThatThrownBy(() -> parse(line == null ? "" : line.strip())).isInstanceOf(UsageException.class)
                .hasMessageContaining(message);
    }
}
