package dev.placement.llm.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.Redactor;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.util.List;

/**
 * The failures one provider's transport raises, each naming the provider. Whatever a server or the JDK echoed
 * back may quote a configured secret (an API key), so such text is redacted; the transport's own words (hosts,
 * timeouts) are used as they are. Immutable and thread-safe; it never shows its secrets.
 */
final class ProviderFailures {
    private final String provider;
    private final Redactor secrets;

    /**
     * @param provider the provider's short name; not null
     * @param secrets  the values to redact; none null or blank
     */
    ProviderFailures(String provider, List<String> secrets) {
        this.provider = provider;
        this.secrets = Redactor.of(secrets);
    }

    String provider() {
        return provider;
    }

    int secretCount() {
        return secrets.size();
    }

    /** @return the text with every secret replaced by {@code ***}, or {@code null} for {@code null} */
    String redact(String text) {
        return secrets.redact(text);
    }

    /** A failure without HTTP status in the transport's own words; the caller redacts any part it quotes. */
    LlmCallException of(LlmFailure kind, String message, Throwable cause) {
        return new LlmCallException(provider, kind, message, null, 0, cause);
    }

    /** A failure without HTTP status whose message may quote a server, so it is redacted. */
    LlmCallException redacted(LlmFailure kind, String message) {
        return of(kind, redact(message), null);
    }

    /** A {@link LlmFailure#MALFORMED_RESPONSE} that quotes the start of the answer body on one line. */
    LlmCallException malformed(String problem, String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        String preview = oneLine.isEmpty() ? "(empty)"
                : oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 120) + "...";
        return redacted(LlmFailure.MALFORMED_RESPONSE, problem + "; body starts with: " + preview);
    }

    /** The failure a non-2xx answer means, mapped by {@link HttpFailures}. */
    LlmCallException fromResponse(int status, HttpHeaders headers, String body, JsonNode json,
                                  ErrorBodyReader reader, Clock clock) {
        return HttpFailures.fromResponse(provider, status, headers, body, json, reader, clock, this::redact);
    }
}
