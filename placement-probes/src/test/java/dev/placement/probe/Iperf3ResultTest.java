package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reading iperf3's JSON report, from reports iperf3 really printed. */
class Iperf3ResultTest {

    @Test
    void readsTheReceivedRateOfACompletedTest() {
        Iperf3Result result = Iperf3Result.parse(Iperf3Reports.LOOPBACK_1S);

        assertThat(result.succeeded()).isTrue();
        assertThat(result.bitsPerSecond()).hasValue(Iperf3Reports.LOOPBACK_BITS_PER_SECOND);
        assertThat(result.bytesPerSecond()).isEqualTo(Iperf3Reports.LOOPBACK_BITS_PER_SECOND / 8);
        assertThat(result.failure()).isNull();
    }

    @Test
    void readsTheErrorOfAClientThatFoundNoServerAsReportedByIperf3() {
        Iperf3Result result = Iperf3Result.parse(Iperf3Reports.CONNECTION_REFUSED);

        assertThat(result.succeeded()).isFalse();
        assertThat(result.reportedByIperf3()).isTrue();
        assertThat(result.failure()).isEqualTo("iperf3 reported: unable to connect to server: Connection refused");
    }

    @Test
    void readsTheErrorOfAServerThatCouldNotListen() {
        Iperf3Result result = Iperf3Result.parse(Iperf3Reports.SERVER_ADDRESS_IN_USE);

        assertThat(result.reportedByIperf3()).isTrue();
        assertThat(result.failure()).contains("unable to start listener for connections: Address already in use");
    }

    @Test
    void saysWhatIsWrongWithOutputThatIsNotAReport() {
        assertThat(Iperf3Result.parse("").failure()).isEqualTo("iperf3 printed no report");
        assertThat(Iperf3Result.parse(null).failure()).isEqualTo("iperf3 printed no report");
        assertThat(Iperf3Result.parse("iperf3: error - unable to connect to server: Connection refused\n")
                .failure()).isEqualTo("iperf3 printed no JSON report: iperf3: error - unable to connect to server: "
                        + "Connection refused");
        assertThat(Iperf3Result.parse("[1, 2]").failure()).startsWith("iperf3 printed no JSON report");
        assertThat(Iperf3Result.parse("x".repeat(Iperf3Result.MAX_OUTPUT_CHARS + 1)).failure())
                .contains("more than the " + Iperf3Result.MAX_OUTPUT_CHARS);
        assertThat(Iperf3Result.parse("{\"end\": {}}").failure())
                .isEqualTo("iperf3's report has no positive end.sum_received.bits_per_second (was missing)");
        assertThat(Iperf3Result.parse("{\"end\": {\"sum_received\": {\"bits_per_second\": 0}}}").failure())
                .endsWith("(was 0)");
        assertThat(Iperf3Result.parse("{\"end\": {}}").reportedByIperf3())
                .as("only iperf3's own error field is worth another try").isFalse();
    }
}
