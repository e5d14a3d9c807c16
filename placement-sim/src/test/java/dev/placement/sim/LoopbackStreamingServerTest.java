package dev.placement.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.sim.LoopbackStreamingServer.Behaviour;
import dev.placement.sim.LoopbackStreamingServer.SentStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The loopback server's per-arrival timing, over real HTTP on 127.0.0.1. The checks follow from the server's
 * schedule (a chunk is never written before it is due, and the server stamps a chunk just before writing it),
 * never from how long anything took, so they hold on a machine however busy.
 */
class LoopbackStreamingServerTest {
    private static final int TOKENS = 3;

    /** The i-th arrival of a burst waits i prefills of 40 ms, and decodes more slowly the later it came. */
    private static final IntFunction<StreamTiming> BURST = i -> new StreamTiming(Duration.ofMillis(40L * i),
            Duration.ofMillis(5L * (i + 1)));

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void timingByArrivalPacesEveryStreamOfABurstByItsOwnSchedule() {
        ConcurrentLinkedQueue<Integer> asked = new ConcurrentLinkedQueue<>();
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes()
                .timingByArrival(noting(asked, BURST)).start()) {
            List<String> bodies = sendAtOnce(server, 5);

            assertThat(bodies).allSatisfy(body -> assertThat(body).endsWith("data: [DONE]\n\n"));
            assertThat(asked).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
            List<SentStream> sent = server.sentStreams();
            assertThat(sent).extracting(SentStream::arrival).containsExactly(0, 1, 2, 3, 4);
            assertThat(sent).allSatisfy(s -> assertFollows(s, BURST.apply(s.arrival())));
        }
    }

    @Test
    void countsArrivalsAsBehaviourByArrivalDoesAndGivesNullTheConstantTiming() {
        ConcurrentLinkedQueue<Integer> asked = new ConcurrentLinkedQueue<>();
        StreamTiming slow = new StreamTiming(Duration.ofMillis(120), Duration.ofMillis(30));
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes()
                .timeToFirstToken(slow.timeToFirstToken()).interTokenLatency(slow.interTokenLatency())
                .behaviourByArrival(i -> i == 1 ? Behaviour.HTTP_500 : Behaviour.NORMAL)
                .timingByArrival(noting(asked, i -> i == 2 ? null : BURST.apply(i))).start()) {
            for (int i = 0; i < 4; i++) {
                send(server).join();
            }

            // Arrival 1 was answered with HTTP 500 and streamed nothing; it still took its place in the count.
            assertThat(asked).containsExactly(0, 2, 3);
            List<SentStream> sent = server.sentStreams();
            assertThat(sent).extracting(SentStream::arrival).containsExactly(0, 2, 3);
            assertFollows(sent.get(0), BURST.apply(0));
            assertFollows(sent.get(1), slow);
            assertFollows(sent.get(2), BURST.apply(3));
        }
    }

    /**
     * 1,030 connections each get an answer, all then sit idle, and each gets a second answer on the same
     * connection: the JDK server's default closed every idle connection beyond 200.
     */
    @Test
    void keepsMoreThanAThousandIdleKeepAliveConnectionsOpen() throws IOException {
        int connections = 1030;
        List<Socket> sockets = new ArrayList<>();
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().start()) {
            int port = server.baseUrl().getPort();
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                sockets.add(socket);
                assertThat(health(socket)).as("connection %d, first request", i).startsWith("HTTP/1.1 200");
            }
            for (int i = 0; i < connections; i++) {
                assertThat(health(sockets.get(i))).as("connection %d, after idling", i).startsWith("HTTP/1.1 200");
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** Sends {@code GET /health} on the socket and returns the response head, or "" if the server closed it. */
    private static String health(Socket socket) throws IOException {
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        int b;
        while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void constantSettersReplaceTimingByArrival() {
        ConcurrentLinkedQueue<Integer> asked = new ConcurrentLinkedQueue<>();
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes()
                .timingByArrival(noting(asked, BURST)).interTokenLatency(Duration.ofMillis(50)).start()) {
            send(server).join();

            assertThat(asked).isEmpty();
            // The default 30 ms to the first token is kept; the gap set last applies.
            assertFollows(server.sentStreams().get(0), new StreamTiming(Duration.ofMillis(30), Duration.ofMillis(50)));
        }
    }

    @Test
    void streamTimingRejectsNegativeAndMissingDelays() {
        assertThatThrownBy(() -> new StreamTiming(Duration.ofMillis(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeToFirstToken must not be negative, was PT-0.001S");
        assertThatThrownBy(() -> new StreamTiming(Duration.ZERO, Duration.ofSeconds(-2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interTokenLatency must not be negative, was PT-2S");
        assertThatThrownBy(() -> new StreamTiming(null, Duration.ZERO)).isInstanceOf(NullPointerException.class)
                .hasMessage("timeToFirstToken must not be null");
        assertThatThrownBy(() -> LoopbackStreamingServer.builder().interTokenLatency(Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("interTokenLatency must not be negative, was PT-0.005S");
        assertThatThrownBy(() -> LoopbackStreamingServer.builder().timingByArrival(null))
                .isInstanceOf(NullPointerException.class);
    }

    /**
     * Every output chunk k of the stream was written no sooner than {@code received + TTFT + k × ITL}, and all
     * {@value #TOKENS} were written. A server that paced a stream of {@link #BURST} by an earlier arrival's timing,
     * or by the default 30 ms and 10 ms, would fail it: every arrival after the first is due later than both.
     */
    private static void assertFollows(SentStream stream, StreamTiming timing) {
        List<Long> chunks = stream.outputChunkNanos();
        assertThat(chunks).as("arrival %d", stream.arrival()).hasSize(TOKENS);
        for (int k = 0; k < TOKENS; k++) {
            long due = stream.receivedNanos() + timing.timeToFirstToken().toNanos()
                    + k * timing.interTokenLatency().toNanos();
            assertThat(chunks.get(k)).as("arrival %d, chunk %d", stream.arrival(), k).isGreaterThanOrEqualTo(due);
        }
    }

    /** {@code timing}, noting every arrival the server asks it about in {@code asked}. */
    private static IntFunction<StreamTiming> noting(Queue<Integer> asked, IntFunction<StreamTiming> timing) {
        return i -> {
            asked.add(i);
            return timing.apply(i);
        };
    }

    private List<String> sendAtOnce(LoopbackStreamingServer server, int requests) {
        List<CompletableFuture<String>> replies = IntStream.range(0, requests).mapToObj(i -> send(server)).toList();
        return replies.stream().map(CompletableFuture::join).toList();
    }

    private CompletableFuture<String> send(LoopbackStreamingServer server) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + server.modelName()
                        + "\",\"prompt\":\"two words\",\"max_tokens\":" + TOKENS + ",\"stream\":true}"))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body);
    }
}
