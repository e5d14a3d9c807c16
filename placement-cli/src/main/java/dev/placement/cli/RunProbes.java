package dev.placement.cli;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.LatencyProbe;
import dev.placement.core.input.ConnectivityFileProbe;
import dev.placement.probe.BandwidthProbe;
import dev.placement.probe.IcmpPingProbe;
import dev.placement.probe.PairwiseProbe;
import dev.placement.probe.TcpConnectProbe;
import dev.placement.vllm.SshCommandRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** The link probes {@code placement run --probe} names. */
final class RunProbes {
    private RunProbes() {
    }

    /**
     * @param kind         file, tcp, icmp or ssh (checked by the caller)
     * @param iperf3       whether bandwidths are measured too, with iperf3 between every pair over SSH
     * @param connectivity the connectivity file, for {@code file}
     * @param declared     the cluster file's nodes
     * @param runtime      the SSH options, for {@code ssh} and iperf3
     * @param clock        stamps each measurement
     * @param resources    collects what must be closed at the end (the SSH client)
     * @return the probe
     */
    static LatencyProbe create(String kind, boolean iperf3, Path connectivity, ClusterSnapshot declared,
            RuntimeOptions runtime, Clock clock, List<AutoCloseable> resources) {
        LatencyProbe rtt = rtt(kind, connectivity, declared, runtime, clock, resources);
        if (!iperf3) {
            return rtt;
        }
        SshCommandRunner ssh = runtime.sshRunner("--bandwidth iperf3");
        resources.add(ssh);
        return BandwidthProbe.builder(ssh, rtt).clock(clock).build();
    }

    private static LatencyProbe rtt(String kind, Path connectivity, ClusterSnapshot declared, RuntimeOptions runtime,
            Clock clock, List<AutoCloseable> resources) {
        switch (kind) {
            case "file":
                return new ConnectivityFileProbe(connectivity, declared, clock);
            case "tcp":
                return TcpConnectProbe.builder().clock(clock).build();
            case "icmp":
                return IcmpPingProbe.builder().clock(clock).build();
            case "ssh": {
                SshCommandRunner ssh = runtime.sshRunner("--probe ssh");
                resources.add(ssh);
                return PairwiseProbe.builder(ssh).clock(clock).parallelism(Math.max(1, declared.nodes().size()))
                        .build();
            }
            default:
                throw new IllegalStateException("--probe '" + kind + "' was not checked");
        }
    }
}
