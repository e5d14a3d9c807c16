package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends over non-blocking sockets served by a few selector threads (one per core, as an epoll event loop
 * would): each wake-up first reads every ready socket and stamps its bytes, then parses what was read, so
 * that parsing one stream's chunk never delays another's stamp. Plain HTTP only; {@code https} URLs go to the
 * given fallback. Connections are kept per thread for the next request to the same server.
 *
 * <p>Thread-safe. The threads are daemons and live as long as the JVM.
 */
final class SelectorTransport implements Transport {
    private final Loop[] loops;
    private final Transport tls;
    private final AtomicInteger next = new AtomicInteger();

    SelectorTransport(int threads, ObjectMapper json, Transport tls) {
        this.tls = tls;
        this.loops = new Loop[threads];
        for (int i = 0; i < threads; i++) {
            loops[i] = new Loop("placement-bench-selector-" + (i + 1), json);
        }
    }

    @Override
    public void send(StreamingRequest request, URI uri, byte[] body, String apiKey) {
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            tls.send(request, uri, body, apiKey);
            return;
        }
        byte[] head = SocketTransport.head(uri, body.length, apiKey);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        loops[Math.floorMod(next.getAndIncrement(), loops.length)].submit(new Exchange(request, uri, all));
    }

    /** One request on its way. */
    private record Exchange(StreamingRequest request, URI uri, byte[] bytes) {
    }

    /** One selector thread and the connections it serves. */
    private static final class Loop implements Runnable {
        private final Selector selector;
        private final ConcurrentLinkedQueue<Exchange> pending = new ConcurrentLinkedQueue<>();
        private final List<Connection> idle = new ArrayList<>();
        private final List<Connection> readable = new ArrayList<>();
        private final ObjectMapper json;

        Loop(String name, ObjectMapper json) {
            this.json = json;
            try {
                selector = Selector.open();
            } catch (IOException e) {
                throw new IllegalStateException("cannot open a selector", e);
            }
            Thread t = new Thread(this, name);
            t.setDaemon(true);
            t.start();
        }

        void submit(Exchange exchange) {
            pending.add(exchange);
            selector.wakeup();
        }

        @Override
        public void run() {
            while (true) {
                try {
                    selector.select();
                } catch (IOException e) {
                    continue;
                }
                // Phase 1: read and stamp every ready socket before any parsing.
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection c = (Connection) key.attachment();
                    try {
                        if (!key.isValid()) {
                            c.broken(new IOException("connection closed"));
                        } else if (key.isConnectable()) {
                            c.connected();
                        } else if (key.isWritable()) {
                            c.write();
                        } else if (key.isReadable() && c.read()) {
                            readable.add(c);
                        }
                    } catch (IOException | RuntimeException e) {
                        c.broken(e);
                    }
                }
                selector.selectedKeys().clear();
                // Phase 2: parse what was read.
                for (Connection c : readable) {
                    c.process();
                }
                readable.clear();
                Exchange e;
                while ((e = pending.poll()) != null) {
                    start(e);
                }
            }
        }

        private void start(Exchange e) {
            e.request().sending(System.nanoTime());
            String target = e.uri().getHost() + ":" + e.uri().getPort();
            for (int i = idle.size() - 1; i >= 0; i--) {
                Connection c = idle.get(i);
                if (c.target.equals(target)) {
                    idle.remove(i);
                    c.begin(e, true);
                    return;
                }
            }
            try {
                SocketChannel channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(this, channel, target);
                boolean now = channel.connect(new InetSocketAddress(e.uri().getHost(),
                        e.uri().getPort() >= 0 ? e.uri().getPort() : 80));
                c.key = channel.register(selector, now ? SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, c);
                c.begin(e, false);
            } catch (IOException | RuntimeException ex) {
                e.request().fail(ex);
            }
        }
    }

    /** One connection's state; touched only by its loop's thread (an abort only closes the channel). */
    private static final class Connection {
        private final Loop loop;
        private final SocketChannel channel;
        private final String target;
        private final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        private final ArrayDeque<long[]> reads = new ArrayDeque<>();
        SelectionKey key;
        private Exchange exchange;
        private ByteBuffer out;
        private boolean reused;
        private ResponseHead head;
        private ChunkedBody body;
        private int parsed;
        private final ErrorBytes error = new ErrorBytes();

        Connection(Loop loop, SocketChannel channel, String target) {
            this.loop = loop;
            this.channel = channel;
            this.target = target;
        }

        void begin(Exchange e, boolean reuse) {
            exchange = e;
            reused = reuse;
            out = ByteBuffer.wrap(e.bytes());
            head = null;
            body = null;
            in.clear();
            parsed = 0;
            error.clear();
            reads.clear();
            e.request().abortWith(this::close);
            if (reuse) {
                key.interestOps(SelectionKey.OP_WRITE);
            }
        }

        void connected() throws IOException {
            channel.finishConnect();
            key.interestOps(SelectionKey.OP_WRITE);
        }

        void write() throws IOException {
            channel.write(out);
            if (!out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        /** Reads what is there and stamps it; returns whether there is something to parse. */
        boolean read() throws IOException {
            if (exchange == null) {
                close(); // an idle connection the server closed, or sent something unasked
                loop.idle.remove(this);
                return false;
            }
            if (!in.hasRemaining()) {
                return true;
            }
            int n = channel.read(in);
            long nanos = System.nanoTime();
            if (n < 0) {
                reads.add(new long[] {-1, nanos});
                return true;
            }
            reads.add(new long[] {in.position(), nanos});
            return true;
        }

        /** Parses the bytes read, each run with its read's stamp. */
        void process() {
            StreamingRequest request = exchange.request();
            try {
                long[] r;
                while ((r = reads.poll()) != null) {
                    if (r[0] < 0) {
                        ended(request, r[1]);
                        return;
                    }
                    int upTo = (int) r[0];
                    if (head == null) {
                        int end = ResponseHead.end(in.array(), upTo);
                        if (end < 0) {
                            if (upTo == in.capacity()) {
                                throw new IOException("the response head is too long");
                            }
                            continue;
                        }
                        head = ResponseHead.parse(in.array(), end);
                        body = ChunkedBody.of(head.chunked(), head.contentLength());
                        parsed = end;
                    }
                    if (head.status() != 200) {
                        parsed += body.feed(in.array(), parsed, upTo - parsed, r[1], error);
                        if (body.done()) {
                            failStatus(request);
                            return;
                        }
                        in.clear();
                        parsed = 0;
                        continue;
                    }
                    int taken = body.feed(in.array(), parsed, upTo - parsed, r[1], request::delivered);
                    parsed += taken;
                    if (body.done()) {
                        request.ended(System.nanoTime(), true);
                        boolean clean = parsed == upTo && reads.isEmpty() && body.delimited()
                                && head.keepAlive() && request.succeeded();
                        finish(clean);
                        return;
                    }
                    if (parsed == upTo && reads.isEmpty()) {
                        in.clear();
                        parsed = 0;
                    }
                }
            } catch (IOException | RuntimeException e) {
                broken(e);
            }
        }

        private void ended(StreamingRequest request, long nanos) {
            if (head == null && reused && in.position() == 0) {
                Exchange again = exchange;
                close();
                loop.pending.add(again); // the server had closed the kept connection: send on a new one
                return;
            }
            if (head != null && head.status() != 200) {
                failStatus(request);
                return;
            }
            request.ended(nanos, body != null && body.completeAtClose());
            close();
        }

        private void failStatus(StreamingRequest request) {
            error.fail(request, head.status(), loop.json);
            close();
        }

        private void finish(boolean reuse) {
            exchange = null;
            if (reuse) {
                in.clear();
                loop.idle.add(this);
            } else {
                close();
            }
        }

        void broken(Throwable e) {
            if (exchange != null) {
                exchange.request().fail(e);
            }
            close();
        }

        void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing left to do.
            }
        }
    }
}
