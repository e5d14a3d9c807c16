package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/** The server-sent-event parsing and the outcome rules, fed bytes directly (no network, no timing). */
class StreamingRequestTest {
    private static final String TOKEN = "data: {\"choices\":[{\"index\":0,\"text\":\" a\"}],\"usage\":null}\n\n";
    private static final String USAGE =
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}\n\n";
    private static final String DONE = "data: [DONE]\n\n";

    private final StreamingRequest request = new StreamingRequest(4, 100, System.nanoTime(), new ObjectMapper());
    private boolean cancelled;

    @Test
    void completesWithUsageCountsAndOneGapPerLaterChunk() {
        feed(200, TOKEN + TOKEN + TOKEN + USAGE + DONE);

        RequestRecord r = request.outcome().getNow(null);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.index()).isEqualTo(4);
        assertThat(r.outputTokens()).isEqualTo(3);
        assertThat(r.inputTokens()).isEqualTo(12);
        assertThat(r.itlNanos()).hasSize(2);
        assertThat(r.e2elNanos()).isGreaterThanOrEqualTo(r.ttftNanos());
    }

    @Test
    void timesEveryChunkExactlyAtTheDeliveryThatCompletedItsFirstDataLine() {
        StreamingRequest timed = new StreamingRequest(2, 100, 1_000, new ObjectMapper());
        String usage = USAGE.replace("\"completion_tokens\":3", "\"completion_tokens\":5");
        timed.sending(5_000);
        timed.delivered(List.of(bytes(TOKEN)), 35_000);
        // A chunk split across two reads is timed by the read that completes its data line.
        timed.delivered(List.of(bytes(TOKEN.substring(0, 20))), 45_000);
        timed.delivered(List.of(bytes(TOKEN.substring(20))), 46_000);
        // Two chunks in one read share its timestamp, so the second gap is 0, as vllm bench serve measures it.
        timed.delivered(List.of(bytes(TOKEN), bytes(TOKEN)), 60_000);
        timed.delivered(List.of(bytes(TOKEN + usage + DONE)), 75_000);

        RequestRecord r = timed.outcome().getNow(null);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.startOffsetNanos()).isEqualTo(4_000);
        assertThat(r.ttftNanos()).isEqualTo(30_000);
        assertThat(r.itlNanos()).containsExactly(11_000L, 14_000L, 0L, 15_000L);
        assertThat(r.e2elNanos()).isEqualTo(70_000);
        assertThat(r.tpotNanos()).isEqualTo((70_000 - 30_000) / 4.0);
    }

    @Test
    void aLastLineWithoutItsNewlineIsTimedWhenTheBodyEnds() {
        StreamingRequest timed = new StreamingRequest(0, 100, 0, new ObjectMapper());
        timed.sending(0);
        timed.delivered(List.of(bytes(TOKEN + "data: [DONE]")), 10_000);

        assertThat(timed.outcome().getNow(null)).isNull();
        timed.ended(12_000, true);

        RequestRecord r = timed.outcome().getNow(null);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.ttftNanos()).isEqualTo(10_000);
        assertThat(r.e2elNanos()).isEqualTo(10_000);
    }

    @Test
    void eventsSplitAnywhereAcrossReadsWithCrLfAndCommentsParseTheSame() {
        String stream = ": ping\r\n\r\n" + TOKEN.replace("\n", "\r\n") + "event: message\n" + TOKEN + USAGE + DONE;
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        List<ByteBuffer> pieces = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += 7) {
            pieces.add(ByteBuffer.wrap(bytes, i, Math.min(7, bytes.length - i)).slice());
        }
        subscribe(200);
        for (ByteBuffer piece : pieces) {
            subscriber.onNext(List.of(piece));
        }
        subscriber.onComplete();

        RequestRecord r = request.outcome().getNow(null);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.itlNanos()).hasSize(1);
        assertThat(r.outputTokens()).isEqualTo(3);
    }

    @Test
    void withoutUsageCountsOutputChunksAndKeepsThePromptEstimate() {
        feed(200, TOKEN + TOKEN + DONE);

        RequestRecord r = request.outcome().getNow(null);
        assertThat(r.outputTokens()).isEqualTo(2);
        assertThat(r.inputTokens()).isEqualTo(100);
    }

    @Test
    void roleOnlyChatChunkCountsAsTheFirstChunkAsInVllm() {
        String role = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n";
        String content = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" a\"}}]}\n\n";
        feed(200, role + content + content + USAGE + DONE);

        RequestRecord r = request.outcome().getNow(null);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.itlNanos()).hasSize(2);
        assertThat(r.outputTokens()).isEqualTo(3);
    }

    @Test
    void anErrorEventAfterOutputIsANoteAsInVllmsBenchNotAFailure() {
        feed(200, TOKEN + "data: {\"error\":{\"message\":\"KV cache exhausted\",\"code\":500}}\n\n" + TOKEN + DONE);

        RequestRecord r = request.outcome().getNow(null);
        // vllm bench serve skips a chunk without choices and reads on: output came, so the request succeeded.
        assertThat(r.succeeded()).isTrue();
        assertThat(r.itlNanos()).hasSize(1);
        assertThat(r.note()).contains("KV cache exhausted").contains("after 1 output chunks");
        assertThat(r.failureDetail()).isEmpty();
        assertThat(cancelled).isFalse();
    }

    @Test
    void olderVllmErrorObjectIsAnErrorEventToo() {
        feed(200, "data: {\"object\":\"error\",\"message\":\"bad things\",\"code\":400}\n\n" + DONE);

        assertThat(request.outcome().getNow(null).failure()).isEqualTo(FailureKind.ERROR_EVENT);
        assertThat(request.outcome().getNow(null).failureDetail()).contains("bad things");
    }

    @Test
    void aStreamEndingWithoutDoneSucceedsWithANoteAsInVllmsBench() {
        feed(200, TOKEN + TOKEN);

        RequestRecord r = request.outcome().getNow(null);
        assertThat(r.succeeded()).isTrue();
        assertThat(r.note()).isEqualTo("the stream ended without data: [DONE]");
        assertThat(r.outputTokens()).isEqualTo(2);
    }

    @Test
    void aBodyCutOffBeforeItsEndIsAnEarlyClose() {
        StreamingRequest cut = new StreamingRequest(0, 100, 0, new ObjectMapper());
        cut.sending(0);
        cut.delivered(List.of(bytes(TOKEN + TOKEN)), 10_000);
        cut.ended(12_000, false);

        RequestRecord r = cut.outcome().getNow(null);
        assertThat(r.failure()).isEqualTo(FailureKind.EARLY_CLOSE);
        assertThat(r.failureDetail()).isEqualTo("the body was cut off after 2 output chunks");
        assertThat(r.outputTokens()).isZero();
    }

    @Test
    void doneWithoutAnyOutputChunkIsNoOutput() {
        feed(200, USAGE + DONE);

        assertThat(request.outcome().getNow(null).failure()).isEqualTo(FailureKind.NO_OUTPUT);
    }

    @Test
    void chunkThatIsNotJsonIsMalformed() {
        feed(200, TOKEN + "data: {\"choices\": [tru\n\n" + DONE);

        RequestRecord r = request.outcome().getNow(null);
        assertThat(r.failure()).isEqualTo(FailureKind.MALFORMED_CHUNK);
        assertThat(r.failureDetail()).contains("chunk 2 is not JSON");
    }

    @Test
    void httpErrorStatusIsAFailureCarryingTheServersMessage() {
        feed(503, "{\"object\":\"error\",\"message\":\"The model is loading\",\"code\":503}");

        RequestRecord r = request.outcome().getNow(null);
        assertThat(r.failure()).isEqualTo(FailureKind.HTTP_STATUS);
        assertThat(r.failureDetail()).isEqualTo("HTTP 503: The model is loading");
    }

    @Test
    void firstOutcomeWinsOverLaterOnes() {
        request.fail(FailureKind.TIMEOUT, "no [DONE] within 1 s");
        feed(200, TOKEN + DONE);

        assertThat(request.outcome().getNow(null).failure()).isEqualTo(FailureKind.TIMEOUT);
    }

    private HttpResponse.BodySubscriber<Void> subscriber;

    private void subscribe(int status) {
        request.sending(System.nanoTime());
        subscriber = request.bodyHandler().apply(new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return status;
            }

            @Override
            public HttpHeaders headers() {
                return HttpHeaders.of(Map.of(), (a, b) -> true);
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        });
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        });
    }

    @Test
    void aLineLongerThanTheBoundFailsTheRequestWithoutBufferingTheRest() {
        subscribe(200);
        // Deliver a data line of twice the bound in 64 KiB reads; the reader must stop at the bound.
        byte[] head = "data: {\"choices\":[{\"text\":\"".getBytes(StandardCharsets.UTF_8);
        subscriber.onNext(List.of(ByteBuffer.wrap(head)));
        byte[] block = new byte[64 << 10];
        java.util.Arrays.fill(block, (byte) 'a');
        for (int sent = 0; sent < 2 * ServerSentEvents.MAX_EVENT_BYTES && !request.outcome().isDone();
                sent += block.length) {
            subscriber.onNext(List.of(ByteBuffer.wrap(block)));
        }

        RequestRecord r = request.outcome().getNow(null);
        assertThat(r).isNotNull();
        assertThat(r.failure()).isEqualTo(FailureKind.MALFORMED_CHUNK);
        assertThat(r.failureDetail()).isEqualTo("a line of the event stream is longer than 1048576 bytes");
        assertThat(cancelled).isTrue();
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private void feed(int status, String body) {
        subscribe(status);
        subscriber.onNext(List.of(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8))));
        subscriber.onComplete();
    }
}
