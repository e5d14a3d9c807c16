package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.LoopbackStreamingServer.SentStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * One benchmark run against a loopback server that records its send times, kept with what is needed to hold the
 * client's chunk timestamps against the server's: the run's time origin and when each request was reported
 * finished. Client and server read the same monotonic clock ({@link System#nanoTime()} in one JVM), so the
 * checks here follow from causality (no byte is read before it is written, no request is received before it
 * is sent) and from arithmetic, never from how long anything took: they hold on a machine however slow or busy.
 */
final class TimedRun {
    private final BenchmarkResult result;
    private final long startNanos;
    private final Map<Integer, Long> finishedNanos;
    private final List<BenchmarkPrompt> prompts;
    private final Map<String, SentStream> timedStreams;

    private TimedRun(BenchmarkResult result, long startNanos, Map<Integer, Long> finishedNanos,
            List<BenchmarkPrompt> prompts, Map<String, SentStream> timedStreams) {
        this.result = result;
        this.startNanos = startNanos;
        this.finishedNanos = finishedNanos;
        this.prompts = prompts;
        this.timedStreams = timedStreams;
    }

    /**
     * Prompts that the server's record can be matched by: "request i of the timed run with words", 8 words,
     * so that every prompt is different and the server counts 8 prompt tokens.
     */
    static List<BenchmarkPrompt> numberedPrompts(int count) {
        List<BenchmarkPrompt> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            prompts.add(new BenchmarkPrompt("request " + i + " of the timed run with words", 8));
        }
        return List.copyOf(prompts);
    }

    /**
     * Runs a benchmark built with {@code prompts} (one per request, in order) to its end.
     *
     * @param server a server built with {@code recordSendTimes()}
     */
    static TimedRun of(LoopbackStreamingServer server, ServingBenchmark benchmark, List<BenchmarkPrompt> prompts)
            throws InterruptedException, TimeoutException {
        Map<Integer, Long> finished = new ConcurrentHashMap<>();
        BenchmarkRun run = benchmark.start(new BenchmarkListener() {
            @Override
            public void requestFinished(RequestRecord record, int count, int total) {
                finished.put(record.index(), System.nanoTime());
            }
        });
        // Bounded only so that a broken client fails the test instead of hanging it; it measures nothing.
        BenchmarkResult result = run.awaitResult(Duration.ofMinutes(2));
        long start = run.startNanos();
        // Warm-up requests were received and answered before the timed part began; every timed one after it.
        Map<String, SentStream> timed = server.sentStreams().stream().filter(s -> s.receivedNanos() >= start)
                .collect(Collectors.toMap(SentStream::prompt, Function.identity()));
        return new TimedRun(result, start, finished, prompts, timed);
    }

    BenchmarkResult result() {
        return result;
    }

    /** @return the server's record of a request's stream */
    SentStream streamOf(RequestRecord record) {
        SentStream stream = timedStreams.get(prompts.get(record.index()).text());
        assertThat(stream).as("the server's record of request %d", record.index()).isNotNull();
        return stream;
    }

    /** @return {@link System#nanoTime()} when the timed part began, the origin of the records' start offsets */
    long startNanos() {
        return startNanos;
    }

    /** @return {@link System#nanoTime()} when the client sent a request */
    long sentNanos(RequestRecord record) {
        return startNanos + record.startOffsetNanos();
    }

    /**
     * Checks every finished request against the server's record: it was sent no later than the server
     * received it; it counted every output chunk the server wrote (all of them if it completed); no chunk was
     * stamped before the server began writing it; and its last stamp is no later than the moment the run
     * reported the request finished.
     */
    void assertChunksStampedNoEarlierThanSent() {
        assertThat(timedStreams).as("streams the server received during the timed part")
                .hasSize(result.records().size());
        for (RequestRecord r : result.records()) {
            SentStream stream = streamOf(r);
            long sent = sentNanos(r);
            assertThat(sent).as("request %d sent before the server received it", r.index())
                    .isLessThanOrEqualTo(stream.receivedNanos());
            List<Long> stamps = chunkStamps(r);
            List<Long> written = stream.outputChunkNanos();
            if (r.succeeded()) {
                assertThat(stamps).as("request %d: one stamp per output chunk the server wrote", r.index())
                        .hasSameSizeAs(written);
                assertThat(sent + r.e2elNanos()).as("request %d: E2EL ends at the last stamp", r.index())
                        .isEqualTo(stamps.get(stamps.size() - 1));
            } else {
                assertThat(stamps.size()).as("request %d: no more chunks than the server wrote", r.index())
                        .isLessThanOrEqualTo(written.size());
            }
            for (int k = 0; k < stamps.size(); k++) {
                assertThat(stamps.get(k)).as("request %d chunk %d stamped no earlier than written", r.index(), k)
                        .isGreaterThanOrEqualTo(written.get(k));
            }
            if (!stamps.isEmpty()) {
                assertThat(stamps.get(stamps.size() - 1)).as("request %d: stamped before it finished", r.index())
                        .isLessThanOrEqualTo(finishedNanos.get(r.index()));
            }
        }
    }

    /**
     * Checks that the reported statistics are vLLM's, computed from the records' own times and nothing else:
     * the means, medians, deviations and percentiles of TTFT, TPOT, ITL and E2EL over completed requests, and
     * TPOT as {@code (E2EL − TTFT) / (output tokens − 1)}.
     */
    void assertStatisticsAreThoseOfTheRecords() {
        List<RequestRecord> ok = result.records().stream().filter(RequestRecord::succeeded).toList();
        List<Double> percentiles = result.settings().percentiles();
        assertThat(result.ttft()).isEqualTo(LatencyStats.of(millis(ok, RequestRecord::ttftNanos), percentiles));
        assertThat(result.e2el()).isEqualTo(LatencyStats.of(millis(ok, RequestRecord::e2elNanos), percentiles));
        assertThat(result.itl()).isEqualTo(LatencyStats.of(ok.stream().flatMap(r -> r.itlNanos().stream())
                .mapToDouble(n -> n / 1e6).toArray(), percentiles));
        assertThat(result.tpot()).isEqualTo(LatencyStats.of(ok.stream().filter(r -> r.outputTokens() > 1)
                .mapToDouble(r -> (double) (r.e2elNanos() - r.ttftNanos()) / (r.outputTokens() - 1) / 1e6)
                .toArray(), percentiles));
    }

    /**
     * The most requests the server was streaming at once, over [received, last chunk written): a lower bound
     * of the client's peak, whose intervals [sent, last chunk stamped) hold the server's.
     */
    int serverPeakConcurrency() {
        return PeakLoad.mostOverlapping(timedStreams.values().stream().map(s -> new long[] {
            s.receivedNanos(), s.outputChunkNanos().get(s.outputChunkNanos().size() - 1)}).toList());
    }

    /** The client's timestamp of each output chunk, on the JVM's clock: sent + TTFT, then each ITL added. */
    private List<Long> chunkStamps(RequestRecord r) {
        List<Long> stamps = new ArrayList<>();
        if (r.ttftNanos() == 0 && r.itlNanos().isEmpty()) {
            return stamps;
        }
        long t = sentNanos(r) + r.ttftNanos();
        stamps.add(t);
        for (long gap : r.itlNanos()) {
            t += gap;
            stamps.add(t);
        }
        return stamps;
    }

    private static double[] millis(List<RequestRecord> records, ToLongFunction<RequestRecord> f) {
        return records.stream().mapToDouble(r -> f.applyAsLong(r) / 1e6).toArray();
    }
}
