/**
 * The serving benchmark: a load generator and measurer for OpenAI-compatible servers that reports TTFT, TPOT,
 * ITL, E2EL and throughput exactly as {@code vllm bench serve} defines them.
 *
 * <p>Start with {@link dev.placement.vllm.bench.ServingBenchmark}; its result is a
 * {@link dev.placement.vllm.bench.BenchmarkResult} (vLLM's JSON keys via {@code toJson}). As a
 * {@link dev.placement.api.MetricsSource} it gives the orchestrator measured metrics of a running pipeline.
 * Its tests and the accuracy benchmark run it against {@code dev.placement.sim.LoopbackStreamingServer}
 * (module {@code placement-sim}), a streaming server with known timing that records when it sent each chunk.
 */
package dev.placement.vllm.bench;
