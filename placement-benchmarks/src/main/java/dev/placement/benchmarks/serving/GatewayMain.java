package dev.placement.benchmarks.serving;

import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.core.PerformanceModel;
import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.gateway.PlacementGateway;
import dev.placement.sim.ResearchTestbed;
import dev.placement.sim.SimulatedClock;
import dev.placement.sim.SimulatedCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The gateway's JVM in {@link GatewayOverheadBenchmark}: a {@link PlacementGateway} in front of one upstream
 * server, in a process of its own as in production, so that its threads and its collections do not share a heap
 * with the benchmark's client and server. It prints {@value #LISTENING}{@code PORT} once it listens, answers each
 * line {@value #ASK_JIT} on its standard input with {@value #JIT}{@code MILLIS} (the time its JIT compilers have
 * spent so far), and stops when its standard input ends.
 *
 * <pre>
 * java -cp benchmarks.jar dev.placement.benchmarks.serving.GatewayMain http://127.0.0.1:PORT
 * </pre>
 */
public final class GatewayMain {
    /** Starts the line that says the gateway's port. */
    static final String LISTENING = "#listening ";
    /** The line that asks for the JIT's time so far. */
    static final String ASK_JIT = "jit";
    /** Starts the line that answers {@value #ASK_JIT}. */
    static final String JIT = "#jit ";
    private static final Placement ONE = Placement.parse("node0:13,node1:14,node2:13");

    private GatewayMain() {
    }

    /**
     * Starts the gateway on a free loopback port and serves until standard input ends.
     *
     * @param args the upstream server's base URL
     * @throws IOException if standard input cannot be read
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: GatewayMain UPSTREAM_URL");
            System.exit(2);
        }
        try (GatewayUnderTest gateway = GatewayUnderTest.inThisJvm(URI.create(args[0]))) {
            System.out.println(LISTENING + gateway.baseUri().getPort());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) { // ends when the parent closes it
                if (line.strip().equals(ASK_JIT)) {
                    System.out.println(JIT + jitMillis());
                    System.out.flush();
                }
            }
        }
    }

    /**
     * The time this JVM's JIT compilers have spent so far.
     *
     * @return milliseconds of compilation, 0 if the JVM does not say
     */
    static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /**
     * An orchestrator whose one pipeline is the given server: its agent always answers one placement and its
     * launcher returns the server's endpoint.
     *
     * @param endpoint the server's base URL
     * @return an orchestrator that has not run yet
     */
    static PlacementOrchestrator orchestrator(URI endpoint) {
        SimulatedCluster sim = SimulatedCluster.builder(SimulatedClock.at(Instant.parse("2026-01-01T00:00:00Z")),
                ResearchTestbed.NODES, PerformanceModel.defaults()).build();
        PipelineLauncher launcher = new PipelineLauncher() {
            @Override
            public RunningPipeline launch(Placement placement, PlacementRequest request) {
                return new RunningPipeline("loopback", placement, endpoint, Instant.now());
            }

            @Override
            public void stop(RunningPipeline pipeline) {
                // the server is the harness's
            }
        };
        return PlacementOrchestrator.builder().inventory(sim).probe(sim).launcher(launcher)
                .agent(new PlacementAgent() {
                    @Override
                    public String name() {
                        return "fixed";
                    }

                    @Override
                    public PlacementDecision decide(PlacementRequest request) {
                        return new PlacementDecision(ONE, name(), "the loopback server's one pipeline",
                                PerformanceModel.defaults().predictMetrics(ONE, request), null);
                    }
                })
                .model(ResearchTestbed.FALCON3_10B).firstNodeId("node0").build();
    }
}
