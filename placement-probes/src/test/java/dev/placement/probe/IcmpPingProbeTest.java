package dev.placement.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.PlacementException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IcmpPingProbeTest {

    @Test
    void explainsHowToFixAMissingPingProgram() {
        IcmpPingProbe probe = IcmpPingProbe.builder().program("/nonexistent/bin/ping").build();

        assertThatThrownBy(() -> probe.measure(ProbeFixtures.loopbackCluster(2)))
                .isInstanceOf(PlacementException.class)
                .hasMessageContaining("/nonexistent/bin/ping")
                .hasMessageContaining("install iputils-ping")
                .hasMessageContaining("TcpConnectProbe");
    }

    @Test
    void measuresNothingForASingleNodeCluster() {
        IcmpPingProbe probe = IcmpPingProbe.builder().program("/nonexistent/bin/ping").build();

        assertThat(probe.measure(ProbeFixtures.loopbackCluster(1)).rttMillis()).isEmpty();
    }

    @Test
    void buildsThePingArgumentsWithADeadlineSoPingAlwaysEnds() {
        PingCommand command = new PingCommand("ping", 5, Duration.ofSeconds(2));

        assertThat(command.argv("10.0.0.2")).containsExactly("ping", "-n", "-c", "5", "-i", "0.2", "-W", "2",
                "-w", "3", "10.0.0.2");
        assertThatThrownBy(() -> new PingCommand("ping", 0, Duration.ofSeconds(1)))
                .hasMessageContaining("count must be 1 to 100");
    }

    @Test
    void neverHandsPingAnAddressItCouldReadAsAnOption() {
        PingCommand command = new PingCommand("ping", 3, Duration.ofSeconds(1));

        assertThat(command.argv("fe80::1%eth0")).endsWith("fe80::1%eth0");
        assertThat(command.argv("node-1.lab")).endsWith("node-1.lab");
        for (String bad : new String[] {"-f", "10.0.0.1; reboot", "host name", ""}) {
            assertThatThrownBy(() -> command.argv(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("address '" + bad + "' is not a host name or IP address");
        }
    }
}
