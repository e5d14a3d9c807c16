/**
 * A simulated world for running and testing placement without GPUs or a network:
 * {@link dev.placement.sim.SimulatedCluster} (inventory, probe, launcher and metrics source at once, whose
 * GPUs are a {@link dev.placement.api.MetricsPredictor} — usually {@code placement-core}'s performance model —
 * with seeded noise, scripted link changes, node failures and restart delays), the
 * {@link dev.placement.sim.SimulatedClock} that drives it in virtual time,
 * {@link dev.placement.sim.LoopbackStreamingServer} (an OpenAI-compatible streaming server on 127.0.0.1 with
 * known timing) and {@link dev.placement.sim.ResearchTestbed} (the research's three T4 nodes and
 * Falcon3-10B-Base as values). The demo, the examples and the tests of other modules run on it; no library
 * module depends on it at compile scope.
 */
package dev.placement.sim;
