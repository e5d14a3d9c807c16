package dev.placement.sim;

import dev.placement.api.NodeSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * An edge site as values, for tests, examples and the {@code edge-site} demo: twelve NVIDIA T4 nodes on three
 * switches of four ({@code t4-0} to {@code t4-3} on switch 0 at 10.0.0.1 to 10.0.0.4, and so on), where a link
 * within a switch is fast and one between switches crosses the site's slower uplinks. Serves
 * {@link ResearchTestbed#FALCON3_10B}, which needs two T4s at least.
 */
public final class EdgeSite {
    /** How many switches the site has. */
    public static final int SWITCHES = 3;
    /** How many nodes each switch connects. */
    public static final int NODES_PER_SWITCH = 4;
    /** The RTT of a link within a switch before anything degrades, ms. */
    public static final double WITHIN_SWITCH_RTT_MILLIS = 0.3;
    /** The RTT of a link between two switches before anything degrades, ms. */
    public static final double BETWEEN_SWITCHES_RTT_MILLIS = 6.0;

    /** The twelve nodes, each with one T4, in switch order. */
    public static final List<NodeSpec> NODES = nodes();

    private EdgeSite() {
    }

    private static List<NodeSpec> nodes() {
        List<NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < SWITCHES * NODES_PER_SWITCH; i++) {
            nodes.add(new NodeSpec(id(i), "10.0." + i / NODES_PER_SWITCH + "." + (i % NODES_PER_SWITCH + 1),
                    ResearchTestbed.T4));
        }
        return List.copyOf(nodes);
    }

    private static String id(int i) {
        return "t4-" + i;
    }

    /**
     * @param switchIndex 0 to {@value #SWITCHES} − 1
     * @return the ids of the nodes on that switch
     * @throws IllegalArgumentException if there is no such switch
     */
    public static List<String> nodesOn(int switchIndex) {
        if (switchIndex < 0 || switchIndex >= SWITCHES) {
            throw new IllegalArgumentException("the site has switches 0 to " + (SWITCHES - 1) + ", not "
                    + switchIndex);
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < NODES_PER_SWITCH; i++) {
            ids.add(id(switchIndex * NODES_PER_SWITCH + i));
        }
        return ids;
    }

    /**
     * @param nodeId a node of the site
     * @return the switch it is on
     * @throws IllegalArgumentException if the node is not one of the site's
     */
    public static int switchOf(String nodeId) {
        int i = NODES.stream().map(NodeSpec::id).toList().indexOf(nodeId);
        if (i < 0) {
            throw new IllegalArgumentException("the edge site has no node " + nodeId);
        }
        return i / NODES_PER_SWITCH;
    }

    /**
     * Sets every link of one switch (within it) to an RTT.
     *
     * @param sim         the simulated site
     * @param switchIndex the switch
     * @param rttMillis   the RTT of each link within it, ms
     */
    public static void setWithinSwitch(SimulatedCluster sim, int switchIndex, double rttMillis) {
        List<String> on = nodesOn(switchIndex);
        for (int i = 0; i < on.size(); i++) {
            for (int j = i + 1; j < on.size(); j++) {
                sim.setRttMillis(on.get(i), on.get(j), rttMillis);
            }
        }
    }

    /**
     * Sets every link between two switches to an RTT.
     *
     * @param sim       the simulated site
     * @param a         one switch
     * @param b         another switch
     * @param rttMillis the RTT of each link between them, ms
     */
    public static void setBetweenSwitches(SimulatedCluster sim, int a, int b, double rttMillis) {
        for (String x : nodesOn(a)) {
            for (String y : nodesOn(b)) {
                sim.setRttMillis(x, y, rttMillis);
            }
        }
    }

    /**
     * A simulated site with the links as built: {@value #WITHIN_SWITCH_RTT_MILLIS} ms within a switch and
     * {@value #BETWEEN_SWITCHES_RTT_MILLIS} ms between switches.
     *
     * @param builder a builder over {@link #NODES}, with the clock, truth and any other setting given
     * @return the simulated site
     */
    public static SimulatedCluster build(SimulatedClusterBuilder builder) {
        SimulatedCluster sim = builder.defaultRttMillis(BETWEEN_SWITCHES_RTT_MILLIS).build();
        for (int s = 0; s < SWITCHES; s++) {
            setWithinSwitch(sim, s, WITHIN_SWITCH_RTT_MILLIS);
        }
        return sim;
    }
}
