package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PingOutputTest {

    @Test
    void readsEveryReplyTimeOfIputilsAndKeepsTheMedian() {
        PingOutput out = PingOutput.parse(ProbeFixtures.iputilsReplies("10.0.0.2", 0.512, 9.75, 0.48));

        assertThat(out.samplesMillis()).containsExactly(0.512, 9.75, 0.48);
        assertThat(out.statistics()).isTrue();
        assertThat(out.medianMillis()).hasValue(0.512);
    }

    @Test
    void reportsNoReplyWhenEveryPacketWasLost() {
        PingOutput out = PingOutput.parse(ProbeFixtures.iputilsNoReply("10.0.0.9"));

        assertThat(out.reachable()).isFalse();
        assertThat(out.statistics()).isTrue();
        assertThat(out.medianMillis()).isEmpty();
    }

    @Test
    void readsBusyboxRepliesAndIgnoresTheSummaryLines() {
        String busybox = "PING 10.0.0.3 (10.0.0.3): 56 data bytes\n"
                + "64 bytes from 10.0.0.3: seq=0 ttl=64 time=2.000 ms\n"
                + "64 bytes from 10.0.0.3: seq=1 ttl=64 time=4.000 ms\n\n"
                + "--- 10.0.0.3 ping statistics ---\n"
                + "2 packets transmitted, 2 packets received, 0% packet loss\n"
                + "round-trip min/avg/max = 2.000/3.000/4.000 ms\n";

        assertThat(PingOutput.parse(busybox).medianMillis()).hasValue(3.0);
    }

    @Test
    void treatsUnparseableTextAsNoMeasurement() {
        PingOutput out = PingOutput.parse("ping: unknown host node7\n");

        assertThat(out.reachable()).isFalse();
        assertThat(out.statistics()).isFalse();
        assertThat(PingOutput.parse(null).reachable()).isFalse();
    }

    @Test
    void recognisesPingLackingThePrivilegeToSendIcmp() {
        assertThat(PingOutput.permissionProblem("ping: socket: Operation not permitted\n"))
                .isEqualTo("ping: socket: Operation not permitted");
        assertThat(PingOutput.permissionProblem(ProbeFixtures.iputilsNoReply("10.0.0.9"))).isNull();
        assertThat(PingOutput.permissionProblem(null)).isNull();
    }
}
