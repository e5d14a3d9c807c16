package dev.placement.vllm;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.CommandRunner;
import dev.placement.api.LaunchException;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ray processes an {@link SshLauncher} starts on a placement's nodes ({@code ray start}, head first) and stops
 * again ({@code ray stop}, workers first), and which nodes they are on: {@code ray stop} ends every Ray process of
 * a node, so a launch that would start Ray on a node where Ray already runs for another pipeline (or launch under
 * way) of the same launcher is refused instead, and stopping one replica never stops Ray under a sibling.
 *
 * <p>Thread-safe: the nodes in use are claimed and released under this object's lock.
 */
final class SshRayNodes {
    private static final Logger LOG = LoggerFactory.getLogger(SshLauncher.class);

    private final CommandRunner runner;
    private final Duration commandTimeout;
    /** Per node address (lower case), the submission id whose Ray runs there. */
    private final Map<String, String> claimed = new HashMap<>();

    SshRayNodes(CommandRunner runner, Duration commandTimeout) {
        this.runner = runner;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Claims the nodes of the Ray commands, then runs them in order; if one fails, stops Ray where it started and
     * gives the nodes back.
     *
     * @param commands     the plan's {@code ray-head} and {@code ray-worker} commands, in order
     * @param submissionId what the nodes are claimed for, in messages
     * @param progress     hears each command
     * @return the nodes where Ray was started, in order (give them to {@link #stop})
     * @throws LaunchException naming the node and its owner if another pipeline of this launcher runs Ray there, or
     *                         naming the node, role and exit code if a command fails
     */
    List<NodeSpec> start(List<VllmLaunchPlan.NodeCommand> commands, ClusterSnapshot cluster, String submissionId,
            Progress progress) {
        List<NodeSpec> nodes = commands.stream().map(c -> cluster.node(c.nodeId())).toList();
        claim(nodes, submissionId);
        List<NodeSpec> started = new ArrayList<>();
        try {
            for (int i = 0; i < commands.size(); i++) {
                VllmLaunchPlan.NodeCommand c = commands.get(i);
                progress.say(c.role() + " on " + nodes.get(i).id());
                SshLauncher.check(nodes.get(i), c.role(), runner.run(nodes.get(i), c.command(), commandTimeout));
                started.add(nodes.get(i));
            }
            return List.copyOf(started);
        } catch (PlacementException e) {
            stopRay(started);
            release(nodes);
            throw e instanceof LaunchException ? e : new LaunchException("cannot start Ray for " + submissionId
                    + ": " + e.getMessage(), e);
        }
    }

    /** Stops Ray on the nodes {@link #start} returned, workers first, and gives them back; failures are logged. */
    void stop(List<NodeSpec> nodes) {
        try {
            stopRay(nodes);
        } finally {
            release(nodes);
        }
    }

    private void stopRay(List<NodeSpec> nodes) {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                runner.run(nodes.get(i), List.of("ray", "stop"), commandTimeout);
            } catch (PlacementException e) {
                LOG.warn("could not stop Ray on {}: {}", nodes.get(i).id(), e.getMessage());
            }
        }
    }

    private synchronized void claim(List<NodeSpec> nodes, String submissionId) {
        for (NodeSpec n : nodes) {
            String owner = claimed.get(key(n));
            if (owner != null) {
                throw new LaunchException("node '" + n.id() + "' (" + n.address() + ") already runs Ray that this "
                        + "launcher started for " + owner + ": replicas need disjoint nodes, or a Ray cluster "
                        + "that is already running (startRay(false))");
            }
        }
        nodes.forEach(n -> claimed.put(key(n), submissionId));
    }

    private synchronized void release(List<NodeSpec> nodes) {
        nodes.forEach(n -> claimed.remove(key(n)));
    }

    private static String key(NodeSpec node) {
        return node.address().toLowerCase(Locale.ROOT);
    }
}
