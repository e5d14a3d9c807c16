package dev.placement.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stand-in speaks vLLM's streaming API, tags its chunks, and notices a client that leaves early. */
class StandInVllmServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void streamsEveryTokenTaggedWithItsProcessThenDoneAndAnswersTheOperationalEndpoints() throws Exception {
        try (StandInVllmServer s = StandInVllmServer.start(0, "stand-in-model", 1, 1)) {
            URI base = URI.create("http://127.0.0.1:" + s.port());
            List<String> events = new ArrayList<>();
            HttpResponse<InputStream> r = http.send(post(base.resolve("/v1/completions"),
                    "{\"prompt\":\"hello\",\"max_tokens\":5,\"stream\":true}"),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("data: ")) {
                        events.add(line.substring(6));
                    }
                }
            }

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("text/event-stream"));
            assertThat(events).hasSize(6).last().isEqualTo("[DONE]");
            assertThat(events.subList(0, 5)).allSatisfy(e -> assertThat(e)
                    .contains("\"system_fingerprint\":\"pid-" + ProcessHandle.current().pid() + "\""));
            assertThat(events.get(4)).contains("\"finish_reason\":\"length\"");
            assertThat(get(base.resolve("/v1/models"))).contains("\"id\":\"stand-in-model\"");
            assertThat(get(base.resolve("/metrics")))
                    .contains("vllm:num_requests_running{model_name=\"stand-in-model\"} 0");
            assertThat(get(base.resolve("/standin/streams"))).contains("\"started\":1").contains("\"completed\":1");
        }
    }

    @Test
    void aClientThatLeavesMidStreamIsReportedClosedEarly() throws Exception {
        try (StandInVllmServer s = StandInVllmServer.start(0, "m", 0, 2)) {
            URI base = URI.create("http://127.0.0.1:" + s.port());
            HttpResponse<InputStream> r = http.send(post(base.resolve("/v1/chat/completions"),
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"leaving\"}],\"max_tokens\":100000,"
                            + "\"stream\":true}"), HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("data: ");
            in.close();

            assertThat(s.awaitClosedEarly("leaving", java.time.Duration.ofSeconds(20))).isTrue();
            assertThat(s.closedEarly()).containsExactly("leaving");
        }
    }

    private static HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private String get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
