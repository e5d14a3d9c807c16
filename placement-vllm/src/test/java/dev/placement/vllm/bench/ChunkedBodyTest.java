package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The socket transports' HTTP/1.1 framing and chunk reading, fed in every possible split. */
class ChunkedBodyTest {
    private static final String CHUNKED = "1d;ext=1\r\ndata: {\"choices\":[{\"t\":1}]}\n\n\r\n"
            + "0\r\nTrailer: x\r\n\r\n";

    @Test
    void decodesAChunkedBodyHoweverItsBytesAreSplitAcrossReads() throws IOException {
        byte[] wire = (CHUNKED + "NEXT").getBytes(StandardCharsets.US_ASCII);
        for (int split = 0; split <= wire.length; split++) {
            ChunkedBody body = ChunkedBody.of(true, -1);
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            ChunkedBody.Sink sink = (b, from, n, nanos) -> payload.write(b, from, n);
            int taken = body.feed(wire, 0, split, 1, sink);
            if (!body.done()) {
                taken += body.feed(wire, split, wire.length - split, 2, sink);
            }
            assertThat(body.done()).as("split at %d", split).isTrue();
            assertThat(taken).as("split at %d", split).isEqualTo(wire.length - 4);
            assertThat(payload.toString(StandardCharsets.US_ASCII)).isEqualTo("data: {\"choices\":[{\"t\":1}]}\n\n");
        }
    }

    @Test
    void givesEachReadsPayloadThatReadsTime() throws IOException {
        ChunkedBody body = ChunkedBody.of(false, 6);
        StringBuilder seen = new StringBuilder();
        ChunkedBody.Sink sink = (b, from, n, nanos) -> seen.append(new String(b, from, n, StandardCharsets.US_ASCII))
                .append('@').append(nanos).append(' ');
        body.feed("abc".getBytes(StandardCharsets.US_ASCII), 0, 3, 10, sink);
        body.feed("defg".getBytes(StandardCharsets.US_ASCII), 0, 4, 20, sink);
        assertThat(seen.toString()).isEqualTo("abc@10 def@20 ");
        assertThat(body.done()).isTrue();
        assertThat(body.delimited()).isTrue();
        assertThat(ChunkedBody.of(false, -1).delimited()).isFalse();
    }

    @Test
    void rejectsBrokenFraming() {
        ChunkedBody.Sink ignore = (b, from, n, nanos) -> { };
        assertThatThrownBy(() -> ChunkedBody.of(true, -1).feed(bytes("zz\r\n"), 0, 4, 0, ignore))
                .isInstanceOf(IOException.class).hasMessageContaining("not hexadecimal");
        assertThatThrownBy(() -> ChunkedBody.of(true, -1).feed(bytes("1\r\nab"), 0, 5, 0, ignore))
                .isInstanceOf(IOException.class).hasMessageContaining("CRLF");
        assertThatThrownBy(() -> ChunkedBody.of(true, -1).feed(bytes("fffffffff\r\n"), 0, 11, 0, ignore))
                .isInstanceOf(IOException.class).hasMessageContaining("larger than");
    }

    @Test
    void readsTheStatusAndFramingOfAResponseHead() throws IOException {
        byte[] head = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream\r\n\r\nrest");
        int end = ResponseHead.end(head, head.length);
        assertThat(end).isEqualTo(head.length - 4);
        assertThat(ResponseHead.parse(head, end)).isEqualTo(new ResponseHead(200, true, -1, true));
        byte[] closing = bytes("HTTP/1.1 500 Oops\r\nContent-Length: 12\r\nConnection: close\r\n\r\n");
        assertThat(ResponseHead.parse(closing, closing.length)).isEqualTo(new ResponseHead(500, false, 12, false));
        assertThat(ResponseHead.end(bytes("HTTP/1.1 200 OK\r\n"), 17)).isEqualTo(-1);
        assertThatThrownBy(() -> ResponseHead.parse(bytes("SSH-2.0\r\n\r\n"), 11)).isInstanceOf(IOException.class)
                .hasMessageContaining("not an HTTP/1.1 response");
    }

    @Test
    void readsOutputAndUsageWithTheStreamingParserAndLeavesTheRestToTheTree() {
        JsonFactory f = new JsonFactory();
        ChunkFields c = new ChunkFields();
        byte[] token = bytes("{\"id\":\"x\",\"choices\":[{\"text\":\"a\",\"logprobs\":null}]}");
        assertThat(c.read(f, token, token.length)).isTrue();
        assertThat(c.output).isTrue();
        byte[] usage = bytes("{\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,\"x\":{}}}");
        assertThat(c.read(f, usage, usage.length)).isTrue();
        assertThat(c.output).isFalse();
        assertThat(c.promptTokens).isEqualTo(7);
        assertThat(c.completionTokens).isEqualTo(3);
        for (String other : new String[] {"{\"error\":{\"message\":\"m\"}}", "{\"object\":\"error\"}", "[1]",
                "{\"usage\":{\"completion_tokens\":1.5}}", "{\"choices\":[", "{} {}", "{\"x\":{\"y\":[1,",
                "{\"choices\":[{\"text\":\"a\"}]", "{\"usage\":{\"prompt_tokens\":", "1", "{\"a\":tru"}) {
            assertThat(c.read(f, bytes(other), other.length())).as(other).isFalse();
            // The chunk after one that was not read to its end is read afresh, not as that one's continuation.
            assertThat(c.read(f, token, token.length)).as("after " + other).isTrue();
            assertThat(c.output).isTrue();
        }
        byte[] object = bytes("{\"object\":\"text_completion\",\"choices\":[{\"text\":\"b\"}],\"usage\":null} ");
        for (int i = 0; i < 3; i++) {
            assertThat(c.read(f, object, object.length)).isTrue();
            assertThat(c.output).isTrue();
            assertThat(c.completionTokens).isEqualTo(-1);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
