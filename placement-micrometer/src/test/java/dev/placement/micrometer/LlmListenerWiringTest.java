package dev.placement.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.placement.api.LlmResponse;
import dev.placement.llm.http.LlmHttpTransport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listener wired into a real transport against a JDK HTTP server on 127.0.0.1 that rate-limits the first
 * attempt: the meters count what the server saw.
 */
class LlmListenerWiringTest {
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat", exchange -> {
            boolean first = requests.incrementAndGet() == 1;
            byte[] body = (first ? "{\"error\":\"slow down\"}" : "{\"ok\":true}").getBytes(StandardCharsets.UTF_8);
            if (first) {
                exchange.getResponseHeaders().add("Retry-After-Ms", "5");
            }
            exchange.sendResponseHeaders(first ? 429 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aRetriedCallThroughTheTransportIsOneTimedCallTwoAttemptsAndOneRetry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Duration> waits = new CopyOnWriteArrayList<>();
        LlmHttpTransport transport = LlmHttpTransport.builder().provider("local").model("qwen3-8b")
                .sleeper(waits::add).listener(PlacementLlmMetrics.listener(registry)).build();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/chat");

        LlmResponse answer = transport.complete(uri, Map.of(), "{}", body -> new LlmResponse(body, null, 12, 3));

        assertThat(answer.text()).isEqualTo("{\"ok\":true}");
        assertThat(requests).hasValue(2);
        assertThat(waits).containsExactly(Duration.ofMillis(5));
        assertThat(registry.get(PlacementMeters.LLM_CALLS).tags("provider", "local", "model", "qwen3-8b",
                "outcome", "success").timer().count()).isEqualTo(1);
        assertThat(registry.get(PlacementMeters.LLM_ATTEMPTS).counter().count()).isEqualTo(requests.get());
        assertThat(registry.get(PlacementMeters.LLM_RETRIES).tag("failure", "rate_limited").counter().count())
                .isEqualTo(waits.size());
        assertThat(registry.get(PlacementMeters.LLM_TOKENS).tag("type", "prompt").counter().count())
                .isEqualTo(answer.promptTokens());
        assertThat(registry.get(PlacementMeters.LLM_CIRCUIT_STATE).tag("state", "closed").gauge().value())
                .isEqualTo(1);
    }
}
