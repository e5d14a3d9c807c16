package dev.placement.vllm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.PlacementException;
import dev.placement.api.Redactor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small client of the Ray dashboard's HTTP API with optional authentication headers. Immutable and
 * thread-safe. Header values (tokens) are never put in messages, logs or {@code toString()}, and every body the
 * dashboard answers is redacted of them as it arrives, so that job messages, job logs and error bodies that echo
 * a token cannot carry it into a message.
 */
final class DashboardClient {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The most a dashboard answer may hold (job logs are the largest): 16 MiB. */
    static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

    /** An HTTP answer: status and body. */
    record Answer(int status, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        JsonNode json(String what) {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new PlacementException(what + ": the Ray dashboard answered " + status
                        + " with a body that is not JSON: " + excerpt(body, 300));
            }
        }
    }

    private final URI base;
    private final HttpClient http;
    private final Map<String, String> headers;
    private final Duration requestTimeout;
    private final Redactor redactor;

    DashboardClient(URI base, HttpClient http, Map<String, String> headers, Duration requestTimeout) {
        this.base = requireHttpUri(base, "dashboard address");
        this.http = Objects.requireNonNull(http, "http");
        this.headers = Map.copyOf(new LinkedHashMap<>(headers));
        this.requestTimeout = Polling.requirePositive(requestTimeout, "requestTimeout");
        this.redactor = secretsOf(this.headers);
    }

    /** The header values, and a bearer token without its scheme, as a server might echo either. */
    static Redactor secretsOf(Map<String, String> headers) {
        List<String> secrets = new ArrayList<>();
        for (String value : headers.values()) {
            secrets.add(value);
            int space = value.indexOf(' ');
            if (space > 0) {
                secrets.add(value.substring(space + 1));
            }
        }
        return Redactor.of(secrets);
    }

    URI base() {
        return base;
    }

    Answer get(String path) {
        return send(request(path).GET().build(), "GET " + path);
    }

    Answer postJson(String path, Object body) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the request body as JSON", e);
        }
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), "POST " + path);
    }

    Answer delete(String path) {
        return send(request(path).DELETE().build(), "DELETE " + path);
    }

    Answer put(String path, byte[] body) {
        return send(request(path).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), "PUT " + path);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout);
        headers.forEach(b::header);
        return b;
    }

    private Answer send(HttpRequest request, String what) {
        try {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readNBytes(MAX_ANSWER_BYTES + 1);
            }
            if (body.length > MAX_ANSWER_BYTES) {
                throw new PlacementException("the Ray dashboard's answer to " + what + " is over "
                        + MAX_ANSWER_BYTES / (1024 * 1024) + " MiB; not read");
            }
            return new Answer(r.statusCode(), redactor.redact(new String(body, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new PlacementException("cannot reach the Ray dashboard at " + base + " (" + what + "): "
                    + redactor.redact(VllmEndpoint.describe(e)), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlacementException("interrupted during " + what + " to the Ray dashboard", e);
        }
    }

    static URI requireHttpUri(URI uri, String what) {
        Objects.requireNonNull(uri, () -> what + " must not be null");
        String scheme = uri.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException(what + " '" + uri + "' must be an http:// or https:// URL with a host");
        }
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException(what + " must not carry credentials in the URL; use a token");
        }
        String s = uri.toString();
        return s.endsWith("/") ? uri : URI.create(s + "/");
    }

    static String excerpt(String text, int max) {
        if (text == null) {
            return "";
        }
        String t = text.strip();
        return t.length() <= max ? t : "..." + t.substring(t.length() - max);
    }

    /** @return headers for a bearer token */
    static Map<String, String> bearer(String token) {
        Objects.requireNonNull(token, "token must not be null");
        if (token.isBlank() || token.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("the bearer token is blank or has control characters");
        }
        return Map.of("Authorization", "Bearer " + token);
    }
}
