package io.twill.operator.ipam;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FreeRangesTest {

    @Test
    void splitsAndMergesRanges() {
        FreeRanges r = new FreeRanges(10);
        assertThat(r.take(5)).isTrue();
        assertThat(r.take(5)).isFalse();
        assertThat(r.rangeCount()).isEqualTo(2);
        assertThat(r.take(0)).isTrue();
        assertThat(r.take(9)).isTrue();
        assertThat(r.free()).isEqualTo(7);
        assertThat(r.put(5)).isTrue();
        assertThat(r.put(5)).isFalse();
        assertThat(r.rangeCount()).isEqualTo(1);
        assertThat(r.put(0)).isTrue();
        assertThat(r.put(9)).isTrue();
        assertThat(r.rangeCount()).isEqualTo(1);
        assertThat(r.free()).isEqualTo(10);
        assertThat(r.put(10)).isFalse();
        assertThat(r.put(-1)).isFalse();
    }

    @Test
    void takeFromWrapsAround() {
        FreeRanges r = new FreeRanges(4);
        assertThat(r.takeFrom(2)).isEqualTo(2);
        assertThat(r.takeFrom(3)).isEqualTo(3);
        assertThat(r.takeFrom(4)).isEqualTo(0);
        assertThat(r.takeFrom(2)).isEqualTo(1);
        assertThat(r.takeFrom(0)).isEqualTo(-1);
    }
}
