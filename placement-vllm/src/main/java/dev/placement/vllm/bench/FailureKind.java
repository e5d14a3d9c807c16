package dev.placement.vllm.bench;

import java.util.Locale;

/**
 * Why a benchmark request failed. Failed requests are counted in {@link BenchmarkResult#failed()} and left out
 * of every latency statistic, as {@code vllm bench serve} does. Which requests fail is its rule too (its request
 * functions in {@code vllm/benchmarks/lib/endpoint_request_func.py}, read at vLLM commit 02cfb534): a status
 * other than 200, a broken or cut-off body, a chunk that is not JSON, a timeout, or no chunk with output. A
 * stream with output that carries an error event, or ends without {@code data: [DONE]}, succeeds (with a
 * {@link RequestRecord#note()}).
 */
public enum FailureKind {
    /** The server answered with an HTTP status other than 200. */
    HTTP_STATUS,
    /**
     * The stream carried an error event ({@code {"error": {...}}} or {@code {"object": "error", ...}}) and no chunk
     * with output.
     */
    ERROR_EVENT,
    /** The request did not finish within the per-request timeout (a stalled or very slow server). */
    TIMEOUT,
    /** The body was cut off: the connection closed before the end its framing announced. */
    EARLY_CLOSE,
    /** The stream ended properly but carried no chunk with output ({@code choices} always empty). */
    NO_OUTPUT,
    /** A chunk was not valid JSON. */
    MALFORMED_CHUNK,
    /** The connection could not be made or broke (refused, reset, unknown host). */
    CONNECTION;

    /** @return the name used in JSON output, for example {@code "http_status"} */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
