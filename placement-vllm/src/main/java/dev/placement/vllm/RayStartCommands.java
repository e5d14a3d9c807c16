package dev.placement.vllm;

import dev.placement.vllm.VllmLaunchPlan.NodeCommand;
import dev.placement.vllm.VllmLaunchPlan.Rank;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SSH plan for a cluster without a Ray Jobs endpoint: start the Ray head on rank 0's node, join every
 * other node to it, then run the launcher on rank 0's node.
 */
final class RayStartCommands {

    private RayStartCommands() {
    }

    /**
     * @param gpus     the GPUs each node gives Ray: the placement's tensor-parallel size
     * @param launcher the launcher's command line on rank 0's node (Python, script path, arguments), checked
     * @return the commands, in the order they must run
     */
    static List<NodeCommand> of(List<Rank> ranks, int gpus, Map<String, String> environment, List<String> launcher) {
        List<NodeCommand> cmds = new ArrayList<>();
        Rank head = ranks.get(0);
        for (Rank r : ranks) {
            List<String> c = new ArrayList<>(List.of("ray", "start"));
            if (r.rank() == 0) {
                c.addAll(List.of("--head", "--port=" + VllmLaunchPlan.RAY_HEAD_PORT));
            } else {
                c.add("--address=" + RemoteValues.hostForUri(head.address()) + ":" + VllmLaunchPlan.RAY_HEAD_PORT);
            }
            c.add("--num-gpus=" + gpus);
            if (RemoteValues.isIpLiteral(r.address())) {
                c.add("--node-ip-address=" + r.address());
            }
            cmds.add(new NodeCommand(r.nodeId(), r.address(), r.rank() == 0 ? "ray-head" : "ray-worker", c,
                    Map.of()));
        }
        cmds.add(new NodeCommand(head.nodeId(), head.address(), "vllm-server", launcher, environment));
        return cmds;
    }
}
