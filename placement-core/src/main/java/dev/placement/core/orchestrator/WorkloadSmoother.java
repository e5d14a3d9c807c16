package dev.placement.core.orchestrator;

import dev.placement.api.Workload;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The workload the loop plans for when none is pinned: per field (prompt tokens, answer tokens, requests in
 * flight) the median of the last few workloads the metrics source observed, so one odd interval changes
 * nothing while a lasting shift shows after half the window. Not thread-safe; used under the tick lock.
 */
final class WorkloadSmoother {
    private final int window;
    private final Deque<Workload> samples = new ArrayDeque<>();

    WorkloadSmoother(int window) {
        this.window = window;
    }

    /** Adds an observed workload; a source that cannot tell (null) adds nothing. */
    void add(Workload observed) {
        if (observed == null) {
            return;
        }
        samples.addLast(observed);
        while (samples.size() > window) {
            samples.removeFirst();
        }
    }

    /** @return the smoothed workload, or {@code fallback} before anything was observed */
    Workload current(Workload fallback) {
        if (samples.isEmpty()) {
            return fallback;
        }
        return new Workload(median(Workload::inputTokens), median(Workload::outputTokens),
                median(Workload::concurrency));
    }

    private int median(ToIntFunction<Workload> field) {
        List<Integer> values = new ArrayList<>();
        samples.forEach(w -> values.add(field.applyAsInt(w)));
        Collections.sort(values);
        int n = values.size();
        // The lower median for an even count: a whole number of tokens or requests, never between two.
        return values.get((n - 1) / 2);
    }

    /**
     * Whether a workload moved from another by at least the fraction in any field.
     *
     * @param threshold the relative change that counts, &gt; 0
     */
    static boolean shifted(Workload from, Workload to, double threshold) {
        return moved(from.inputTokens(), to.inputTokens(), threshold)
                || moved(from.outputTokens(), to.outputTokens(), threshold)
                || moved(from.concurrency(), to.concurrency(), threshold);
    }

    private static boolean moved(int from, int to, double threshold) {
        return Math.abs(to - from) >= threshold * from;
    }
}
