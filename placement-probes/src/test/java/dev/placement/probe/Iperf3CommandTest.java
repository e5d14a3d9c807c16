package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class Iperf3CommandTest {
    private final Iperf3Command command = new Iperf3Command("/usr/bin/iperf3", 5201, Duration.ofSeconds(3));

    @Test
    void boundsTheServerByAnIdleTimeoutAndTheClientByConnectTimeoutAndDuration() {
        assertThat(command.serverArgv()).containsExactly("/usr/bin/iperf3", "-s", "-1", "-D", "-p", "5201",
                "--idle-timeout", "30");
        assertThat(command.clientArgv("node1.lab")).containsExactly("/usr/bin/iperf3", "-c", "node1.lab", "-p",
                "5201", "-t", "3", "-J", "--connect-timeout", "3000");
        assertThat(command.clientTimeout()).as("connect, send, margin").isEqualTo(Duration.ofSeconds(16));
    }

    @Test
    void takesHostNamesAndIpAddressesButNothingThatCouldBeAnOptionOrShellText() {
        for (String ok : List.of("10.0.0.11", "gpu-box_2.lab", "::1", "fe80::1%eth0", "2001:db8::7")) {
            assertThat(command.clientArgv(ok)).contains(ok);
        }
        for (String bad : List.of("-R", "--logfile=/tmp/x", "a b", "host;reboot", "$(id)", "a`b`", "")) {
            assertThatThrownBy(() -> command.clientArgv(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("address '" + bad + "' is not a host name or IP address");
        }
    }

    @Test
    void refusesADurationIperf3CannotTake() {
        assertThatThrownBy(() -> new Iperf3Command("iperf3", 5201, Duration.ZERO))
                .hasMessageContaining("whole seconds from 1 to 60 s");
        assertThatThrownBy(() -> new Iperf3Command("iperf3", 5201, Duration.ofSeconds(61)))
                .hasMessageEndingWith("was PT1M1S");
        assertThat(new Iperf3Command("iperf3", 65535, Duration.ofSeconds(60)).port()).isEqualTo(65535);
    }
}
