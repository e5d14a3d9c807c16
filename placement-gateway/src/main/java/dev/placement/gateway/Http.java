package dev.placement.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** What the gateway's handlers share: which headers cross the proxy, and JSON answers. Stateless. */
final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Hop-by-hop headers (RFC 9110 7.6.1) and those the gateway sets itself: never copied across. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "content-type", "authorization", "expect");
    private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "server", "date");

    private Http() {
    }

    /**
     * Copies a client's request headers to the upstream request: all but the hop-by-hop ones, {@code Host},
     * the body's (set from the body) and {@code Authorization} (the caller decides that one).
     */
    static void copyRequestHeaders(HttpFields from, HttpFields.Mutable to) {
        for (HttpField f : from) {
            if (!NOT_FORWARDED.contains(f.getLowerCaseName())) {
                to.add(f);
            }
        }
    }

    /** Copies the upstream response's headers to the client's response: all but the hop-by-hop ones. */
    static void copyResponseHeaders(HttpFields from, HttpFields.Mutable to) {
        for (HttpField f : from) {
            if (!NOT_RETURNED.contains(f.getLowerCaseName())) {
                to.add(f);
            }
        }
    }

    /** @return the bearer token of an {@code Authorization} header, or null if there is none */
    static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        return authorization.substring(7).trim();
    }

    /** Answers an OpenAI-shaped error: {@code {"error": {"message", "type", "code"}}}. */
    static void error(Response response, Callback callback, int status, String type, String message) {
        json(response, callback, status, Map.of("error", Map.of("message", message, "type", type, "code", status)));
    }

    static void json(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        write(response, callback, status, "application/json", bytes);
    }

    static void write(Response response, Callback callback, int status, String contentType, byte[] bytes) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
