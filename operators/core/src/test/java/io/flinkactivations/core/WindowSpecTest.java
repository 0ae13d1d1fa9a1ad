package io.flinkactivations.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WindowSpecTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            tumbling(10s)            | tumbling(10s)
            tumbling(size=500ms)     | tumbling(500ms)
            TUMBLING(1500ms)         | tumbling(1500ms)
            tumbling(60s)            | tumbling(1m)
            sliding(10s, 1s)         | sliding(10s, 1s)
            sliding(slide=1s, size=1m) | sliding(1m, 1s)
            session(30s)             | session(30s)
            session(gap=5m)          | session(5m)
            count(100)               | count(100)
            count(n=3)               | count(3)
            tumbling(24h)            | tumbling(1d)
            tumbling(10 s)           | tumbling(10s)
            sliding( 10 s , 1 s )    | sliding(10s, 1s)
            session(gap = 30 s)      | session(30s)
            """)
    void parsesAndRoundTrips(String text, String canonical) {
        WindowSpec spec = WindowSpec.parse(text);
        assertThat(spec.canonical()).isEqualTo(canonical);
        assertThat(WindowSpec.parse(canonical)).isEqualTo(spec);
    }

    @Test
    void exposesItsParts() {
        WindowSpec sliding = WindowSpec.parse("sliding(10s, 2s)");
        assertThat(sliding.kind()).isEqualTo(WindowSpec.Kind.SLIDING);
        assertThat(sliding.size()).isEqualTo(Duration.ofSeconds(10));
        assertThat(sliding.slide()).isEqualTo(Duration.ofSeconds(2));
        assertThat(sliding.isTimeBased()).isTrue();
        assertThat(WindowSpec.parse("count(7)").count()).isEqualTo(7);
        assertThat(WindowSpec.parse("count(7)").isTimeBased()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            tumbling(10s)     | 5000   | 10000 | 10000
            tumbling(10s)     | 10000  | 20000 | 20000
            tumbling(10s)     | -1     | 0     | 0
            sliding(10s, 2s)  | 5000   | 6000  | 14000
            sliding(10s, 2s)  | 6000   | 8000  | 16000
            sliding(10s, 3s)  | 0      | 1000  | 10000
            """)
    void theWindowsOfAnEventTimeAreAlignedAsFlinksAssigners(
            String spec, long t, long firstEnd, long lastEnd) {
        WindowSpec w = WindowSpec.parse(spec);
        assertThat(w.firstWindowEnd(t)).isEqualTo(firstEnd);
        assertThat(w.lastWindowEnd(t)).isEqualTo(lastEnd);
        long slide = w.slide().toMillis();
        for (long end = firstEnd; end <= lastEnd; end += slide) { // every window holds t
            assertThat(t).isBetween(end - w.size().toMillis(), end - 1);
        }
        long size = w.size().toMillis();
        long before = firstEnd - slide;
        long after = lastEnd + slide;
        assertThat(t >= before - size && t < before)
                .as("the window before the first holds t")
                .isFalse();
        assertThat(t >= after - size && t < after)
                .as("the window after the last holds t")
                .isFalse();
        assertThatThrownBy(() -> WindowSpec.parse("count(3)").firstWindowEnd(t))
                .isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            hopping(10s)         | Unknown window 'hopping'; valid windows: tumbling(size), sliding(size, slide), session(gap), count(n)
            tumbling(10)         | Bad size '10': write a whole number with a unit (ms, s, m, h, d)
            tumbling(1.5s)       | Bad size '1.5s'
            tumbling(10 s 2)     | Bad size '10 s 2'
            tumbling(0s)         | it must be positive
            tumbling             | tumbling requires parameter size; write tumbling(size)
            sliding(10s)         | sliding requires parameter slide; write sliding(size, slide)
            sliding(1s, 10s)     | slide must not exceed size
            count(0)             | n must be a positive whole number
            count(ten)           | n must be a positive whole number
            count(1, 2)          | count takes at most 1 positional parameter (n), got 2 in 'count(1, 2)'
            sliding(size=10s, 1s) | a positional argument follows a named one
            sliding(10s, slid=1s) | Unknown parameter 'slid' for sliding; did you mean 'slide'? valid parameters: sliding(size, slide)
            tumblng(10s)         | Unknown window 'tumblng'; did you mean 'tumbling'?
            session(gap=1s, gap=2s) | Parameter gap of session is given twice in 'session(gap=1s, gap=2s)'
            'count(5'            | Bad window spec: Cannot parse 'count(5'
            """)
    void badWindowsSayWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> WindowSpec.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
