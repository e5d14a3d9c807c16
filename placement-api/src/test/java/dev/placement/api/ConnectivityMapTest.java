package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConnectivityMapTest {

    @Test
    void linkSetsBothDirectionsAndRttSetsOne() {
        ConnectivityMap map = ConnectivityMap.builder().link("a", "b", 2.5).rtt("b", "c", 7).rtt("c", "b", 9).build();
        assertThat(map.rttMillis("a", "b")).hasValue(2.5);
        assertThat(map.rttMillis("b", "a")).hasValue(2.5);
        assertThat(map.rttMillis("b", "c")).hasValue(7);
        assertThat(map.rttMillis("c", "b")).as("asymmetric links are kept").hasValue(9);
        assertThat(map.requireRttMillis("a", "b")).isEqualTo(2.5);
    }

    @Test
    void anUnknownPairIsAbsentNotZero() {
        ConnectivityMap map = ConnectivityMap.builder().link("a", "b", 1).build();
        assertThat(map.rttMillis("a", "c")).isEmpty();
        assertThat(map.rttMillis("x", "y")).isEmpty();
        assertThat(map.hasLink("a", "c")).isFalse();
        assertThat(map.hasLink("a", "b")).isTrue();
        assertThatThrownBy(() -> map.requireRttMillis("a", "c"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no RTT is known from 'a' to 'c'");
        assertThat(map.bandwidthBytesPerSecond("a", "b")).isEmpty();
    }

    @Test
    void zeroRttIsAllowedButNegativeIsNot() {
        assertThat(ConnectivityMap.builder().link("a", "b", 0).build().rttMillis("a", "b")).hasValue(0);
        assertThatThrownBy(() -> ConnectivityMap.builder().rtt("a", "b", -1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rttMillis.a.b must be a finite number >= 0, was -1.0");
        assertThatThrownBy(() -> ConnectivityMap.builder().rtt("a", "b", Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rttMillis.a.b");
        assertThatThrownBy(() -> ConnectivityMap.builder().rtt("a", "b", Double.POSITIVE_INFINITY).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rttMillis.a.b");
    }

    @Test
    void rejectsALinkFromANodeToItself() {
        assertThatThrownBy(() -> ConnectivityMap.builder().rtt("a", "a", 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rttMillis.a.a: a node has no link to itself");
    }

    @Test
    void bandwidthMustBePositive() {
        ConnectivityMap map = ConnectivityMap.builder().link("a", "b", 1, 125e6).build();
        assertThat(map.bandwidthBytesPerSecond("b", "a")).hasValue(125e6);
        assertThatThrownBy(() -> ConnectivityMap.builder().bandwidth("a", "b", 0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bandwidthBytesPerSecond.a.b must be a positive finite number, was 0.0");
    }

    @Test
    void rejectsAnInvalidNodeId() {
        assertThatThrownBy(() -> ConnectivityMap.builder().rtt("no de", "b", 1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'no de' is not a valid node id");
    }

    @Test
    void makesDeepImmutableCopies() {
        Map<String, Double> row = new HashMap<>(Map.of("b", 1.0));
        Map<String, Map<String, Double>> rtt = new HashMap<>(Map.of("a", row));
        ConnectivityMap map = new ConnectivityMap(rtt, null, null, Instant.EPOCH);
        row.put("c", 2.0);
        rtt.put("x", Map.of("y", 3.0));
        assertThat(map.rttMillis("a", "c")).isEmpty();
        assertThat(map.rttMillis("x", "y")).isEmpty();
        assertThat(map.bandwidthBytesPerSecond()).isEmpty();
        assertThat(map.unreachableNodes()).isEmpty();
        assertThatThrownBy(() -> map.rttMillis().get("a").put("d", 1.0))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toBuilderKeepsEveryEntry() {
        ConnectivityMap map = ConnectivityMap.builder().link("a", "b", 1, 1e9).rtt("b", "c", 4)
                .unreachable("d").measuredAt(Instant.ofEpochSecond(100)).build();
        assertThat(map.toBuilder().build()).isEqualTo(map);
        assertThat(map.unreachableNodes()).isEqualTo(Set.of("d"));
    }

    @Test
    void measuredAtIsRequired() {
        assertThatThrownBy(() -> new ConnectivityMap(Map.of(), Map.of(), Set.of(), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("measuredAt must not be null");
    }

    @Test
    void iteratesInNodeOrderWhateverOrderItWasBuiltIn() {
        ConnectivityMap m = ConnectivityMap.builder().rtt("node2", "node0", 1).rtt("node1", "node2", 2)
                .rtt("node0", "node2", 3).rtt("node0", "node1", 4).unreachable("node9").unreachable("node3").build();

        assertThat(m.rttMillis().keySet()).containsExactly("node0", "node1", "node2");
        assertThat(m.rttMillis().get("node0").keySet()).containsExactly("node1", "node2");
        assertThat(m.unreachableNodes()).containsExactly("node3", "node9");
    }
}
