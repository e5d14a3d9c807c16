package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.LoopbackStreamingServer.Behaviour;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every transport gives a request the same outcome for what the server does; checks no clock. */
class TransportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every transport; on Java 21 and later also the socket transport on virtual threads. */
    static Stream<Function<ObjectMapper, Transport>> transports() {
        Stream<Function<ObjectMapper, Transport>> all = Stream.of(
                json -> new SocketTransport(Duration.ofSeconds(5), json),
                json -> new SelectorTransport(2, json, new SocketTransport(Duration.ofSeconds(5), json)),
                json -> new JdkTransport(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()));
        return Runtime.version().feature() < 21 ? all : Stream.concat(all, Stream.of(
                json -> new SocketTransport(Duration.ofSeconds(5), json, SocketTransport.virtualThreads())));
    }

    @Test
    void virtualThreadsAreRefusedInOneLineBeforeJava21() {
        if (Runtime.version().feature() >= 21) {
            Thread t = SocketTransport.virtualThreads().newThread(() -> { });
            assertThat(t.getName()).startsWith("placement-bench-stream-");
            return;
        }
        assertThatThrownBy(SocketTransport::virtualThreads).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dplacement.bench.transport=virtual needs Java 21 or later (this is "
                        + Runtime.version().feature() + ")");
    }

    @ParameterizedTest
    @MethodSource("transports")
    void givesEachBehaviourItsOutcomeOnKeptConnections(Function<ObjectMapper, Transport> make) {
        Transport transport = make.apply(JSON);
        Behaviour[] plan = {Behaviour.NORMAL, Behaviour.HTTP_500, Behaviour.NORMAL, Behaviour.ERROR_EVENT,
            Behaviour.NORMAL, Behaviour.EARLY_CLOSE, Behaviour.NORMAL};
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .timeToFirstToken(Duration.ZERO).interTokenLatency(Duration.ZERO)
                .behaviourByArrival(i -> plan[i]).start()) {
            URI uri = URI.create(server.baseUrl() + "/v1/completions");
            for (int i = 0; i < plan.length; i++) {
                RequestRecord r = send(transport, uri, i);
                switch (plan[i]) {
                    case NORMAL -> {
                        assertThat(r.failure()).as("request %d", i).isNull();
                        assertThat(r.outputTokens()).isEqualTo(4);
                        assertThat(r.itlNanos()).hasSize(3);
                    }
                    case HTTP_500 -> assertThat(r.failureDetail()).isEqualTo("HTTP 500: injected failure: HTTP 500");
                    case ERROR_EVENT -> assertThat(r.failure()).isEqualTo(FailureKind.ERROR_EVENT);
                    default -> assertThat(r.failure()).isEqualTo(FailureKind.EARLY_CLOSE);
                }
            }
        }
    }

    /** A server that answers one request per connection, claims keep-alive and then closes it. */
    @ParameterizedTest
    @MethodSource("transports")
    void sendsAgainOnANewConnectionWhenTheKeptOneWasClosed(Function<ObjectMapper, Transport> make)
            throws Exception {
        Transport transport = make.apply(JSON);
        AtomicInteger connections = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread serving = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        connections.incrementAndGet();
                        answerOnce(s);
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            serving.setDaemon(true);
            serving.start();
            URI uri = URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/v1/completions");
            for (int i = 0; i < 3; i++) {
                RequestRecord r = send(transport, uri, i);
                assertThat(r.failure()).as("request %d: %s", i, r.failureDetail()).isNull();
                assertThat(r.outputTokens()).isEqualTo(1);
            }
            assertThat(connections.get()).isEqualTo(3);
        }
    }

    private static RequestRecord send(Transport transport, URI uri, int index) {
        StreamingRequest request = new StreamingRequest(index, 1, System.nanoTime(), JSON);
        transport.send(request, uri, ("{\"model\":\"m\",\"prompt\":\"p\",\"max_tokens\":4,\"stream\":true}")
                .getBytes(StandardCharsets.UTF_8), null);
        return request.outcome().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    private static void answerOnce(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        int b;
        while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim());
        in.readNBytes(length);
        String event = "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: [DONE]\n\n";
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " + event.length()
                + "\r\n\r\n" + event).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
