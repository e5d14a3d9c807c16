package dev.placement.vllm.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The peaks of load over a run that {@code vllm bench serve} reports ({@code max_output_tokens_per_s},
 * {@code max_concurrent_requests}), computed from the completed requests of a {@link BenchmarkResult}.
 */
final class PeakLoad {
    private PeakLoad() {
    }

    /** vLLM's {@code max_output_tokens_per_s}: output chunks of completed requests per one-second bucket. */
    static double outputChunksPerSecond(List<RequestRecord> records) {
        List<RequestRecord> ok = records.stream().filter(RequestRecord::succeeded).toList();
        if (ok.isEmpty()) {
            return 0;
        }
        long first = ok.stream().mapToLong(RequestRecord::startOffsetNanos).min().orElse(0);
        long last = ok.stream().mapToLong(r -> r.startOffsetNanos() + r.e2elNanos()).max().orElse(0);
        int buckets = (int) Math.ceil((last - first) / 1e9) + 1;
        long[] perBucket = new long[buckets];
        for (RequestRecord r : ok) {
            long t = r.startOffsetNanos() + r.ttftNanos();
            add(perBucket, t - first);
            for (long gap : r.itlNanos()) {
                t += gap;
                add(perBucket, t - first);
            }
        }
        return Arrays.stream(perBucket).max().orElse(0);
    }

    private static void add(long[] perBucket, long offsetNanos) {
        int bucket = (int) (offsetNanos / 1_000_000_000L);
        if (bucket >= 0 && bucket < perBucket.length) {
            perBucket[bucket]++;
        }
    }

    /** The most completed requests in flight at once, over half-open intervals [start, end). */
    static int concurrentRequests(List<RequestRecord> records) {
        List<long[]> intervals = new ArrayList<>();
        for (RequestRecord r : records) {
            if (r.succeeded()) {
                intervals.add(new long[] {r.startOffsetNanos(), r.startOffsetNanos() + r.e2elNanos()});
            }
        }
        return mostOverlapping(intervals);
    }

    /**
     * @param intervals half-open intervals {@code [from, to)}, each as {@code {from, to}}
     * @return the most of them that hold one instant
     */
    static int mostOverlapping(List<long[]> intervals) {
        List<long[]> events = new ArrayList<>();
        for (long[] interval : intervals) {
            events.add(new long[] {interval[0], 1});
            events.add(new long[] {interval[1], -1});
        }
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        int current = 0;
        int peak = 0;
        for (long[] e : events) {
            current += (int) e[1];
            peak = Math.max(peak, current);
        }
        return peak;
    }
}
