package dev.placement.llm.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One attempt of a JSON POST: sends it with the request timeout and turns what comes back into the body of a 2xx
 * answer or a typed failure (another status, a timeout, an I/O error, an interrupt). It does not retry; the
 * {@link ResiliencePolicy} wraps it. Header values are never logged. Immutable and thread-safe.
 */
final class HttpExchange {
    // Logged under the transport's name, the one users set log levels for.
    private static final Logger LOG = LoggerFactory.getLogger(LlmHttpTransport.class);

    private final TransportSettings settings;
    private final ProviderFailures failures;
    private final WireJson json;

    HttpExchange(TransportSettings settings, ProviderFailures failures, WireJson json) {
        this.settings = settings;
        this.failures = failures;
        this.json = json;
    }

    /**
     * A 2xx answer.
     *
     * @param status its HTTP status
     * @param body   its body, empty if it had none; not yet redacted
     */
    record Answer(int status, String body) {
    }

    /**
     * @return the status and body of a 2xx answer
     * @throws LlmCallException for any other outcome, retryable as its kind (or the server) says
     */
    Answer post(URI uri, Map<String, String> headers, String jsonBody) {
        HttpRequest request = request(uri, headers, jsonBody);
        long startNanos = System.nanoTime();
        HttpResponse<String> response = send(request, uri);
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        int status = response.statusCode();
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} POST {} -> HTTP {} in {} ms{}", settings.provider(), uri, status, millis,
                    response.headers().firstValue("x-request-id").map(id -> " (request id " + id + ")").orElse(""));
        }
        String body = response.body() == null ? "" : response.body();
        if (status >= 200 && status < 300) {
            return new Answer(status, body);
        }
        throw failures.fromResponse(status, response.headers(), body, json.readLeniently(body),
                settings.errorReader(), settings.clock());
    }

    private HttpRequest request(URI uri, Map<String, String> headers, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8));
        headers.forEach((name, value) -> {
            try {
                request.header(name, value);
            } catch (IllegalArgumentException e) {
                // The JDK's message quotes the value, which may be a key: say only which header.
                throw failures.of(LlmFailure.INVALID_REQUEST, "the value of header " + name
                        + " is not allowed in HTTP", null);
            }
        });
        return request.build();
    }

    private HttpResponse<String> send(HttpRequest request, URI uri) {
        try {
            return settings.httpClient().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw failures.of(LlmFailure.TIMEOUT, "no answer from " + uri.getHost() + " within "
                    + describe(settings.requestTimeout()) + " (" + failures.redact(e.getMessage()) + ")", null);
        } catch (IOException e) {
            throw failures.of(LlmFailure.NETWORK, "could not reach " + uri.getHost() + ":" + uri.getPort() + ": "
                    + failures.redact(String.valueOf(e.getMessage())), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.of(LlmFailure.INTERRUPTED, "interrupted while waiting for " + uri.getHost(), e);
        }
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
