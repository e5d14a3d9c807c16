package dev.placement.core.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.ConnectivityMap;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The smoother alone: measurements in, medians per ordered pair out. */
class ConnectivitySmootherTest {
    private static final Set<String> AB = Set.of("a", "b");
    private static final double MBIT = 1e6 / 8;

    private static ConnectivityMap rtt(double millis) {
        return ConnectivityMap.builder().link("a", "b", millis).build();
    }

    private static ConnectivityMap rttAndBandwidth(double millis, double mbitPerSecond) {
        return ConnectivityMap.builder().link("a", "b", millis, mbitPerSecond * MBIT).build();
    }

    private static double bandwidthMbit(ConnectivityMap map, String from, String to) {
        return map.bandwidthBytesPerSecond(from, to).orElseThrow() / MBIT;
    }

    @Test
    void rejectsAnRttSpikeButFollowsALastingChange() {
        ConnectivitySmoother smoother = new ConnectivitySmoother(3);

        assertThat(smoother.add(rtt(2), AB).requireRttMillis("a", "b")).isEqualTo(2);
        assertThat(smoother.add(rtt(90), AB).requireRttMillis("a", "b")).as("one spike").isEqualTo(2);
        assertThat(smoother.add(rtt(20), AB).requireRttMillis("a", "b")).as("two of three are new").isEqualTo(20);
    }

    @Test
    void rejectsABandwidthDipButFollowsALastingChangeLikeRtt() {
        ConnectivitySmoother smoother = new ConnectivitySmoother(3);

        assertThat(bandwidthMbit(smoother.add(rttAndBandwidth(2, 900), AB), "a", "b")).isEqualTo(900);
        assertThat(bandwidthMbit(smoother.add(rttAndBandwidth(2, 5), AB), "a", "b")).as("one dip").isEqualTo(900);
        ConnectivityMap changed = smoother.add(rttAndBandwidth(2, 100), AB);

        assertThat(bandwidthMbit(changed, "a", "b")).as("two of three are lower").isEqualTo(100);
        assertThat(bandwidthMbit(changed, "b", "a")).as("each direction has its own window").isEqualTo(100);
    }

    @Test
    void smoothsEachDirectionOfAnAsymmetricLinkOnItsOwn() {
        ConnectivitySmoother smoother = new ConnectivitySmoother(1);
        ConnectivityMap raw = ConnectivityMap.builder().link("a", "b", 2)
                .bandwidth("a", "b", 100 * MBIT).bandwidth("b", "a", 20 * MBIT).build();

        ConnectivityMap out = smoother.add(raw, AB);

        assertThat(bandwidthMbit(out, "a", "b")).isEqualTo(100);
        assertThat(bandwidthMbit(out, "b", "a")).isEqualTo(20);
    }

    @Test
    void holdsTheLastBandwidthSamplesWhileMeasurementsCarryNoBandwidthForThePair() {
        ConnectivitySmoother smoother = new ConnectivitySmoother(3);
        smoother.add(rttAndBandwidth(2, 300), AB);

        ConnectivityMap rttOnly = smoother.add(rtt(3), AB);
        ConnectivityMap nextBandwidth = smoother.add(rttAndBandwidth(3, 40), AB);

        assertThat(bandwidthMbit(rttOnly, "a", "b")).isEqualTo(300);
        assertThat(bandwidthMbit(rttOnly, "b", "a")).isEqualTo(300);
        assertThat(bandwidthMbit(nextBandwidth, "a", "b"))
                .as("the held samples still count against the next measurement").isEqualTo(300);
    }

    @Test
    void holdsAnRttThatOneMeasurementMissed() {
        ConnectivitySmoother smoother = new ConnectivitySmoother(3);
        smoother.add(rtt(4), AB);

        ConnectivityMap missing = smoother.add(ConnectivityMap.builder().build(), AB);

        assertThat(missing.requireRttMillis("a", "b")).isEqualTo(4);
    }

    @Test
    void forgetsRttAndBandwidthOfAPairWhoseNodeLeft() {
        ConnectivitySmoother smoother = new ConnectivitySmoother(3);
        smoother.add(rttAndBandwidth(2, 300), AB);
        smoother.add(rtt(2), Set.of("a"));

        ConnectivityMap back = smoother.add(rtt(7), AB);

        assertThat(back.requireRttMillis("a", "b")).as("the window starts afresh").isEqualTo(7);
        assertThat(back.bandwidthBytesPerSecond("a", "b")).as("no bandwidth was measured since b came back")
                .isEmpty();
    }

    @Test
    void dropsSamplesOfNodesThatAreNotPresentAndKeepsTheRawTimeAndUnreachableNodes() {
        ConnectivitySmoother smoother = new ConnectivitySmoother(3);
        Instant when = Instant.parse("2026-01-01T12:00:00Z");
        ConnectivityMap raw = ConnectivityMap.builder().link("a", "b", 2, 100 * MBIT).link("a", "c", 5, 10 * MBIT)
                .unreachable("c").measuredAt(when).build();

        ConnectivityMap out = smoother.add(raw, AB);

        assertThat(out.hasLink("a", "c")).isFalse();
        assertThat(out.bandwidthBytesPerSecond("a", "c")).isEmpty();
        assertThat(out.unreachableNodes()).containsExactly("c");
        assertThat(out.measuredAt()).isEqualTo(when);
    }

    @Test
    void refusesAnEmptyWindowNamingTheValue() {
        assertThatThrownBy(() -> new ConnectivitySmoother(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("smoothing window must be at least 1, was 0");
    }
}
