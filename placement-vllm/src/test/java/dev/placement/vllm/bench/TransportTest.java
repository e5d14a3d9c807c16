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
                json -> new JdkTransport(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()),
                json -> new NettyTransport(2, Duration.ofSeconds(5), json));
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
                    case ERROR_EVENT -> assertThat(r.note()).as("request %d", i).contains("error event after 1");
                    default -> assertThat(r.note()).as("request %d", i)
                            .isEqualTo("the stream ended without data: [DONE]");
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

    /**
     * As {@code vllm bench serve} judges a body: cut off before the end its framing announced is a failure; ended
     * as framed (here by the connection's close) but without {@code [DONE]} is a success with a note.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void failsABodyCutOffAndPassesOneThatEndsWithoutDone(Function<ObjectMapper, Transport> make) throws Exception {
        Transport transport = make.apply(JSON);
        String event = "data: {\"choices\":[{\"text\":\"a\"}]}\n\n";
        String cutOff = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(event.length()) + "\r\n" + event + "\r\n";
        String untilClose = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                + event + event;
        RequestRecord cut = answeredOnceWith(transport, cutOff);
        assertThat(cut.succeeded()).as("cut off").isFalse();
        assertThat(cut.outputTokens()).isZero();
        RequestRecord ended = answeredOnceWith(transport, untilClose);
        assertThat(ended.failureDetail()).as("ended by the close").isEmpty();
        assertThat(ended.outputTokens()).isEqualTo(2);
        assertThat(ended.note()).isEqualTo("the stream ended without data: [DONE]");
    }

    /** Sends one request to a server that reads it, writes {@code response} and closes the connection. */
    private static RequestRecord answeredOnceWith(Transport transport, String response) throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread serving = new Thread(() -> {
                try (Socket s = listener.accept()) {
                    readRequest(s.getInputStream());
                    s.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                } catch (IOException closed) {
                    // The test's assertions say what the client made of it.
                }
            });
            serving.setDaemon(true);
            serving.start();
            return send(transport, URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/v1/completions"), 0);
        }
    }

    private static RequestRecord send(Transport transport, URI uri, int index) {
        StreamingRequest request = new StreamingRequest(index, 1, System.nanoTime(), JSON);
        transport.send(request, uri, ("{\"model\":\"m\",\"prompt\":\"p\",\"max_tokens\":4,\"stream\":true}")
                .getBytes(StandardCharsets.UTF_8), null);
        return request.outcome().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    private static void answerOnce(Socket s) throws IOException {
        readRequest(s.getInputStream());
        answer(s);
    }

    /** Answers with one output chunk and [DONE], framed by a length, the connection claimed kept alive. */
    static void answer(Socket s) throws IOException {
        String event = "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: [DONE]\n\n";
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " + event.length()
                + "\r\n\r\n" + event).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one request: its head, then as many body bytes as its Content-Length says. */
    static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
            head.append((char) b);
        }
        String lower = head.toString().toLowerCase(java.util.Locale.ROOT);
        int at = lower.indexOf("content-length:");
        int length = Integer.parseInt(lower.substring(at + 15, lower.indexOf('\r', at)).trim());
        in.readNBytes(length);
    }
}
