package io.twill.bpf;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The resizable-pin set travels through every other {@code with…} of an ObjectSpec, and sizes are validated. */
class ObjectSpecPinsTest {
    @Test
    void resizablePinsSurviveTheOtherSettings() {
        ObjectSpec s = TestBpf.spec("tc_pinned").withResizablePins(Set.of("tw_pinned"))
                .withPinRoot(Path.of("/run/tw")).withObjectName("x").withConstant("c", 1).withMaxEntries("tw_pinned", 64)
                .withReusedMap("m", Path.of("/run/tw/m")).withMapPinPath("n", Path.of("/run/tw/n"));
        assertThat(s.resizablePins()).containsExactly("tw_pinned");
        assertThat(s.maxEntries()).containsEntry("tw_pinned", 64);
        assertThat(s.mapPinPaths()).containsKey("n");
        assertThat(TestBpf.spec("tc_pinned").resizablePins()).isEmpty();
        assertThatThrownBy(() -> s.withResizablePins(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> s.withMaxEntries("tw_pinned", -1)).hasMessageContaining("must be positive");
    }
}
