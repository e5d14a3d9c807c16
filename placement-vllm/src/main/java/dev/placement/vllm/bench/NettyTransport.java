package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends over Netty's NIO transport, one event loop per core, so that the bench client's timing can be measured
 * against an event-loop HTTP client of the kind many load generators are built on
 * ({@code -Dplacement.bench.transport=netty}). It exists to be measured: the default stays {@code socket}, and
 * Netty is an optional dependency of this module, present only where it is measured (placement-benchmarks).
 *
 * <p>The only handler on a connection's pipeline takes {@link System#nanoTime()} as the first thing it does in
 * every {@code channelRead}, before any decoding, and then feeds those raw bytes through the same
 * {@link ResponseHead} and {@link ChunkedBody} parsing into the {@link StreamingRequest} as
 * {@link SocketTransport} does, with that stamp; Netty's HTTP codec is not used, so that every read keeps its own
 * stamp. Parsing runs inline on the event loop, as it would in a Netty pipeline, so the parsing of one stream's
 * read can delay the stamp of another stream served by the same loop.
 *
 * <p>Connections use TCP_NODELAY. Requests go to the loops in turn, and each loop keeps its own connections per
 * server for its next request while idle for less than 4 s ({@link KeptConnections}), as the selector transport
 * does, so that a request is sent on the loop that took it, with no hop to another. A request whose kept
 * connection turns out closed before any byte of an answer is sent once more on a new one. Plain HTTP only: an
 * {@code https} request fails at once with one line saying so (it does not fall back to another transport, which
 * would mix two transports in one measurement).
 *
 * <p>Thread-safe. A request's send time is stamped on the event loop that sends it; every connection's state is
 * touched only by its own loop (an abort only closes the channel). The loop threads are daemons and live as long
 * as the JVM.
 */
final class NettyTransport implements Transport {
    static final String HTTP_ONLY = "the netty transport measures plain http only: use "
            + "-Dplacement.bench.transport=socket (the default) for https";
    private static final int BUFFER_BYTES = 16 * 1024;

    private final Loop[] loops;
    private final AtomicInteger next = new AtomicInteger();
    private final Bootstrap bootstrap;
    private final ObjectMapper json;

    /** @param threads how many event loops, each a daemon thread */
    NettyTransport(int threads, Duration connectTimeout, ObjectMapper json) {
        this.json = json;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory("placement-bench-netty", true), NioIoHandler.newFactory());
        List<Loop> all = new ArrayList<>();
        group.forEach(executor -> all.add(new Loop((EventLoop) executor,
                new KeptConnections<>(Connection::close))));
        this.loops = all.toArray(Loop[]::new);
        this.bootstrap = new Bootstrap().channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis())));
    }

    @Override
    public void send(StreamingRequest request, URI uri, byte[] body, String apiKey) {
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            request.sending(System.nanoTime());
            request.fail(FailureKind.CONNECTION, HTTP_ONLY);
            return;
        }
        Exchange e = new Exchange(request, uri, SocketTransport.head(uri, body.length, apiKey), body);
        Loop loop = loops[Math.floorMod(next.getAndIncrement(), loops.length)];
        loop.executor().execute(() -> {
            request.sending(System.nanoTime());
            Connection kept = loop.idle().take(e.key);
            if (kept != null) {
                kept.begin(e, true);
            } else {
                connect(e, loop);
            }
        });
    }

    /** Opens a new connection on the loop and sends the request on it; called on that loop. */
    private void connect(Exchange e, Loop loop) {
        Connection c = new Connection(e.key, loop);
        ChannelFuture connecting = bootstrap.clone(loop.executor()).handler(c)
                .connect(e.uri.getHost(), e.uri.getPort() >= 0 ? e.uri.getPort() : 80);
        Channel channel = connecting.channel();
        e.request.abortWith(() -> e.abort(channel));
        connecting.addListener(f -> {
            if (f.isSuccess()) {
                c.begin(e, false);
            } else {
                e.request.fail(f.cause());
            }
        });
    }

    /** One event loop and the connections it keeps, all served by it. */
    private record Loop(EventLoop executor, KeptConnections<Connection> idle) {
    }

    /** One request on its way. */
    private static final class Exchange {
        final StreamingRequest request;
        final URI uri;
        final String key;
        final byte[] head;
        final byte[] body;
        /** Set when the request was failed from outside (a timeout): its connection's end is then no news. */
        volatile boolean aborted;

        Exchange(StreamingRequest request, URI uri, byte[] head, byte[] body) {
            this.request = request;
            this.uri = uri;
            this.key = KeptConnections.key(uri);
            this.head = head;
            this.body = body;
        }

        void abort(Channel channel) {
            aborted = true;
            channel.close();
        }
    }

    /**
     * One HTTP/1.1 connection: the handler on its pipeline, its read buffer and the answer being parsed. Used by
     * one request at a time, and touched only by its channel's event loop.
     */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final String key;
        private final Loop loop;
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private final ErrorBytes error = new ErrorBytes();
        private ChannelHandlerContext ctx;
        private Exchange exchange;
        private ChunkedBody.Sink sink;
        private boolean reused;
        private boolean answered;
        private int end;
        private ResponseHead head;
        private ChunkedBody body;

        Connection(String key, Loop loop) {
            this.key = key;
            this.loop = loop;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext context) {
            ctx = context;
        }

        void begin(Exchange e, boolean reuse) {
            exchange = e;
            reused = reuse;
            answered = false;
            end = 0;
            head = null;
            body = null;
            error.clear();
            sink = e.request::delivered;
            Channel channel = ctx.channel();
            e.request.abortWith(() -> e.abort(channel));
            channel.writeAndFlush(Unpooled.wrappedBuffer(e.head, e.body)).addListener(f -> {
                if (!f.isSuccess()) {
                    lost(e, f.cause());
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object msg) {
            long nanos = System.nanoTime(); // first, before any decoding: the read's arrival
            ByteBuf bytes = (ByteBuf) msg;
            try {
                Exchange e = exchange;
                if (e == null) {
                    context.close(); // an idle connection the server sent something unasked
                    return;
                }
                answered = true;
                try {
                    read(e, bytes, nanos);
                } catch (IOException | RuntimeException x) {
                    lost(e, x);
                }
            } finally {
                bytes.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            if (exchange == null) {
                loop.idle().forget(key, this);
            } else {
                lost(exchange, null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            if (exchange == null) {
                context.close();
            } else {
                lost(exchange, cause);
            }
        }

        /** Parses the bytes of one read, all stamped {@code nanos}. */
        private void read(Exchange e, ByteBuf bytes, long nanos) throws IOException {
            while (bytes.isReadable() && exchange == e) {
                if (head == null) {
                    int n = Math.min(bytes.readableBytes(), buffer.length - end);
                    bytes.readBytes(buffer, end, n);
                    end += n;
                    if (head()) {
                        feed(e, end, bytes, nanos);
                    } else if (end == buffer.length) {
                        throw new IOException("the response head is longer than " + buffer.length + " bytes");
                    }
                } else {
                    int n = Math.min(bytes.readableBytes(), buffer.length);
                    bytes.readBytes(buffer, 0, n);
                    feed(e, n, bytes, nanos);
                }
            }
        }

        /** @return whether the final head has been read (informational ones are skipped); its body starts at 0 */
        private boolean head() throws IOException {
            int headEnd;
            while ((headEnd = ResponseHead.end(buffer, end)) >= 0) {
                ResponseHead h = ResponseHead.parse(buffer, headEnd);
                System.arraycopy(buffer, headEnd, buffer, 0, end - headEnd);
                end -= headEnd;
                if (h.status() >= 200 || h.status() == 101) {
                    head = h;
                    body = ChunkedBody.of(h.chunked(), h.contentLength());
                    return true;
                }
            }
            return false;
        }

        /** Feeds {@code buffer[0, n)} to the body; keeps the connection if the answer ended cleanly. */
        private void feed(Exchange e, int n, ByteBuf rest, long nanos) throws IOException {
            if (head.status() != 200) {
                body.feed(buffer, 0, n, nanos, error);
                if (body.done()) {
                    exchange = null;
                    failStatus(e.request);
                }
                return;
            }
            int taken = body.feed(buffer, 0, n, nanos, sink);
            if (body.done()) {
                e.request.ended(System.nanoTime(), true);
                exchange = null;
                if (taken == n && !rest.isReadable() && body.delimited() && head.keepAlive() && e.request.succeeded()) {
                    loop.idle().keep(key, this);
                } else {
                    ctx.close();
                }
            }
        }

        /** The connection ended or broke while it carried the exchange: finishes the request accordingly. */
        private void lost(Exchange e, Throwable cause) {
            if (exchange != e) {
                return;
            }
            exchange = null;
            ctx.close();
            if (e.aborted) {
                return;
            }
            if (reused && !answered) {
                connect(e, loop); // the server had closed the kept connection: send again on a new one
            } else if (head != null && head.status() != 200) {
                failStatus(e.request);
            } else if (head != null && cause == null) {
                e.request.ended(System.nanoTime(), body.completeAtClose());
            } else {
                e.request.fail(cause != null ? cause
                        : new IOException("the server closed the connection before its answer's head"));
            }
        }

        private void failStatus(StreamingRequest request) {
            error.fail(request, head.status(), json);
            ctx.close();
        }

        void close() {
            ctx.close();
        }
    }
}
