package dev.placement.vllm.bench;

import java.util.List;
import java.util.Objects;

/**
 * What one benchmark request measured. Times are from {@link System#nanoTime()} taken when each streamed chunk
 * arrived, relative to the moment the request was sent.
 *
 * <p>Definitions follow {@code vllm bench serve}: TTFT is the time to the first chunk whose {@code choices} is
 * not empty; there is one ITL sample per later such chunk (the gap to the previous one); E2EL is the time of
 * the last such chunk. For a failed request the timing fields hold what was seen before the failure and are
 * not used by any statistic.
 *
 * @param index            the request's position in the run, from 0
 * @param startOffsetNanos when it was sent, in ns after the run started; &ge; 0
 * @param ttftNanos        time to first token in ns; 0 if no output chunk arrived
 * @param e2elNanos        end-to-end latency in ns (last output chunk − sent); 0 if no output chunk arrived
 * @param itlNanos         inter-token latencies in ns, one per output chunk after the first; copied
 * @param inputTokens      prompt tokens: the server's {@code usage.prompt_tokens}, else the prompt's estimate
 * @param outputTokens     output tokens: the server's {@code usage.completion_tokens}, else the number of
 *                         output chunks; 0 for a failed request
 * @param failure          why it failed, or {@code null} if it succeeded
 * @param failureDetail    a one-line explanation of the failure; empty if it succeeded
 * @param note             for a request that succeeded, what was unusual about its stream though
 *                         {@code vllm bench serve} counts it as a success (an error event after output, no
 *                         {@code data: [DONE]} before the body ended); empty otherwise
 */
public record RequestRecord(int index, long startOffsetNanos, long ttftNanos, long e2elNanos, List<Long> itlNanos,
        int inputTokens, int outputTokens, FailureKind failure, String failureDetail, String note) {

    /**
     * Validates and copies.
     *
     * @param index            the request's position in the run, from 0; &ge; 0
     * @param startOffsetNanos when it was sent, in ns after the run started; &ge; 0
     * @param ttftNanos        time to first token in ns; &ge; 0, 0 if no output chunk arrived
     * @param e2elNanos        end-to-end latency in ns; &ge; 0, 0 if no output chunk arrived
     * @param itlNanos         inter-token latencies in ns, one per output chunk after the first; not null
     * @param inputTokens      prompt tokens; &ge; 0
     * @param outputTokens     output tokens; &ge; 0
     * @param failure          why it failed, or {@code null} if it succeeded
     * @param failureDetail    a one-line explanation of the failure; null means empty, and an empty one of a
     *                         failure becomes its {@link FailureKind#jsonName()}
     * @param note             what was unusual about a successful request's stream; null means empty, and a
     *                         failed request's is dropped
     */
    public RequestRecord {
        if (index < 0) {
            throw new IllegalArgumentException("request.index must not be negative, was " + index);
        }
        if (startOffsetNanos < 0 || ttftNanos < 0 || e2elNanos < 0) {
            throw new IllegalArgumentException("request " + index + ": times must not be negative");
        }
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("request " + index + ": token counts must not be negative");
        }
        itlNanos = List.copyOf(Objects.requireNonNull(itlNanos, "request.itlNanos must not be null"));
        failureDetail = failureDetail == null ? "" : failureDetail;
        if (failure != null && failureDetail.isEmpty()) {
            failureDetail = failure.jsonName();
        }
        note = note == null || failure != null ? "" : note;
    }

    /**
     * A record without a note.
     *
     * @param index            the request's position in the run, from 0; &ge; 0
     * @param startOffsetNanos when it was sent, in ns after the run started; &ge; 0
     * @param ttftNanos        time to first token in ns; &ge; 0, 0 if no output chunk arrived
     * @param e2elNanos        end-to-end latency in ns; &ge; 0, 0 if no output chunk arrived
     * @param itlNanos         inter-token latencies in ns, one per output chunk after the first; not null
     * @param inputTokens      prompt tokens; &ge; 0
     * @param outputTokens     output tokens; &ge; 0
     * @param failure          why it failed, or {@code null} if it succeeded
     * @param failureDetail    a one-line explanation of the failure; null means empty, and an empty one of a
     *                         failure becomes its {@link FailureKind#jsonName()}
     */
    public RequestRecord(int index, long startOffsetNanos, long ttftNanos, long e2elNanos, List<Long> itlNanos,
            int inputTokens, int outputTokens, FailureKind failure, String failureDetail) {
        this(index, startOffsetNanos, ttftNanos, e2elNanos, itlNanos, inputTokens, outputTokens, failure,
                failureDetail, "");
    }

    /**
     * @return whether the request completed, as {@code vllm bench serve} judges it: HTTP 200, at least one chunk
     *     with output, and a body that was neither cut off nor malformed
     */
    public boolean succeeded() {
        return failure == null;
    }

    /**
     * Time per output token excluding the first, {@code (e2el − ttft) / (output tokens − 1)}, in ns.
     *
     * @return the TPOT in ns, or {@code NaN} when the request failed or had at most one output token
     *     ({@code vllm bench serve} leaves such requests out of TPOT)
     */
    public double tpotNanos() {
        if (!succeeded() || outputTokens <= 1) {
            return Double.NaN;
        }
        return (double) (e2elNanos - ttftNanos) / (outputTokens - 1);
    }
}
