package dev.placement.probe;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.GpuSpec;
import dev.placement.api.NodeSpec;
import java.util.ArrayList;
import java.util.List;

final class ProbeFixtures {
    static final GpuSpec T4 = GpuSpec.of("T4", 16, 320, 65);

    private ProbeFixtures() {
    }

    static ClusterSnapshot loopbackCluster(int nodes) {
        List<NodeSpec> list = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            list.add(new NodeSpec("node" + i, "127.0.0.1", T4));
        }
        return new ClusterSnapshot(list);
    }

    static String iputilsReplies(String address, double... millis) {
        StringBuilder out = new StringBuilder("PING " + address + " (" + address + ") 56(84) bytes of data.\n");
        for (int i = 0; i < millis.length; i++) {
            out.append("64 bytes from ").append(address).append(": icmp_seq=").append(i + 1)
                    .append(" ttl=64 time=").append(millis[i]).append(" ms\n");
        }
        out.append("\n--- ").append(address).append(" ping statistics ---\n")
                .append(millis.length).append(" packets transmitted, ").append(millis.length)
                .append(" received, 0% packet loss, time 401ms\n")
                .append("rtt min/avg/max/mdev = 0.1/0.2/0.3/0.05 ms\n");
        return out.toString();
    }

    static String iputilsNoReply(String address) {
        return "PING " + address + " (" + address + ") 56(84) bytes of data.\n"
                + "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable\n"
                + "From 10.0.0.1 icmp_seq=2 Destination Host Unreachable\n\n"
                + "--- " + address + " ping statistics ---\n"
                + "3 packets transmitted, 0 received, +2 errors, 100% packet loss, time 2049ms\n";
    }
}
