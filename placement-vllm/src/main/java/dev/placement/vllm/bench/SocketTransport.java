package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Sends each request on a thread of its own over a blocking HTTP/1.1 connection: the thread sleeps in the
 * socket read and stamps the bytes the moment the read returns, so no stream waits for a shared selector to
 * get round to it, and the parsing of one stream's chunk never delays another stream's stamp. Connections are
 * kept for the next request to the same server while idle for less than 4 s (uvicorn, under vLLM, closes
 * them after 5 s); a request that finds its kept connection closed before any byte of an answer is sent again
 * on a new one.
 *
 * <p>Thread-safe. The threads are daemons and end after a minute without work.
 */
final class SocketTransport implements Transport {
    private static final int BUFFER_BYTES = 16 * 1024;
    /** A stream thread's stack: it runs a read loop and the event parser, never deep recursion. */
    private static final long STACK_BYTES = 256 * 1024;

    private final int connectTimeoutMillis;
    private final ObjectMapper json;
    private final ExecutorService threads;
    private final KeptConnections<Connection> idle = new KeptConnections<>(Connection::close);

    SocketTransport(Duration connectTimeout, ObjectMapper json) {
        this(connectTimeout, json, platformThreads());
    }

    /** @param streamThreads makes the thread each request runs on (daemon threads, so the JVM can exit) */
    SocketTransport(Duration connectTimeout, ObjectMapper json, ThreadFactory streamThreads) {
        this.connectTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        this.json = json;
        this.threads = Executors.newCachedThreadPool(streamThreads);
    }

    private static ThreadFactory platformThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(null, r, "placement-bench-stream-" + n.incrementAndGet(), STACK_BYTES);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Virtual threads (Java 21 and later), looked up by reflection since the project builds for Java 17: a
     * blocking read on one parks it and the JDK's poller wakes it, so the streams share a carrier per core.
     *
     * @throws IllegalArgumentException on a JVM without virtual threads
     */
    static ThreadFactory virtualThreads() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> api = Class.forName("java.lang.Thread$Builder");
            builder = api.getMethod("name", String.class, long.class).invoke(builder, "placement-bench-stream-", 1L);
            return (ThreadFactory) api.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("-Dplacement.bench.transport=virtual needs Java 21 or later (this is "
                    + Runtime.version().feature() + ")");
        }
    }

    @Override
    public void send(StreamingRequest request, URI uri, byte[] body, String apiKey) {
        byte[] head = head(uri, body.length, apiKey);
        threads.execute(() -> exchange(request, uri, head, body));
    }

    private void exchange(StreamingRequest request, URI uri, byte[] head, byte[] body) {
        request.sending(System.nanoTime());
        String key = KeptConnections.key(uri);
        Connection connection = idle.take(key);
        try {
            if (connection != null) {
                try {
                    connection.send(request, head, body);
                    stream(request, connection, key);
                    return;
                } catch (StaleConnection stale) {
                    connection.close();
                }
            }
            connection = open(uri);
            connection.send(request, head, body);
            stream(request, connection, key);
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            request.fail(e);
        }
    }

    /** Reads the answer; keeps the connection if the request succeeded and the body ended cleanly. */
    private void stream(StreamingRequest request, Connection c, String key) throws IOException {
        ResponseHead head = c.readHead();
        ChunkedBody body = ChunkedBody.of(head.chunked(), head.contentLength());
        if (head.status() != 200) {
            ErrorBytes error = new ErrorBytes();
            c.readBody(body, error);
            c.close();
            error.fail(request, head.status(), json);
            return;
        }
        boolean clean = c.readBody(body, request::delivered);
        request.ended(System.nanoTime(), body.completeAtClose());
        if (clean && body.delimited() && head.keepAlive() && request.succeeded()) {
            idle.keep(key, c);
        } else {
            c.close();
        }
    }

    private Connection open(URI uri) throws IOException {
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() >= 0 ? uri.getPort() : https ? 443 : 80;
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(uri.getHost(), port), connectTimeoutMillis);
            if (https) {
                SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(socket, uri.getHost(), port, true);
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                socket = tls;
            }
            return new Connection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static byte[] head(URI uri, int bodyLength, String apiKey) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder h = new StringBuilder(256).append("POST ").append(path)
                .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                .append("\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: ")
                .append(bodyLength).append("\r\n");
        if (apiKey != null) {
            h.append("Authorization: Bearer ").append(apiKey).append("\r\n");
        }
        return h.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A kept connection failed before any byte of an answer: the server had closed it; send again. */
    private static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnection() {
            super("the kept connection was closed by the server");
        }
    }

    /** One HTTP/1.1 connection and its read buffer; used by one request at a time. */
    private static final class Connection {
        private final Socket socket;
        private final byte[] buffer = new byte[BUFFER_BYTES];
        private int start;
        private int end;
        private long readNanos;
        private boolean used;
        private boolean reused;

        Connection(Socket socket) {
            this.socket = socket;
        }

        void send(StreamingRequest request, byte[] head, byte[] body) throws IOException {
            request.abortWith(this::close);
            reused = used;
            used = true;
            start = 0;
            end = 0;
            try {
                byte[] all = new byte[head.length + body.length];
                System.arraycopy(head, 0, all, 0, head.length);
                System.arraycopy(body, 0, all, head.length, body.length);
                socket.getOutputStream().write(all);
            } catch (IOException e) {
                throw reused ? new StaleConnection() : e;
            }
        }

        ResponseHead readHead() throws IOException {
            while (true) {
                int headEnd;
                while ((headEnd = ResponseHead.end(buffer, end)) < 0) {
                    if (end == buffer.length) {
                        throw new IOException("the response head is longer than " + buffer.length + " bytes");
                    }
                    int n = socket.getInputStream().read(buffer, end, buffer.length - end);
                    readNanos = System.nanoTime();
                    if (n < 0) {
                        throw end == 0 && reused ? new StaleConnection()
                                : new IOException("the server closed the connection before its answer's head");
                    }
                    end += n;
                }
                ResponseHead head = ResponseHead.parse(buffer, headEnd);
                System.arraycopy(buffer, headEnd, buffer, 0, end - headEnd);
                end -= headEnd;
                if (head.status() >= 200 || head.status() == 101) {
                    start = 0;
                    return head;
                }
            }
        }

        /** @return whether the body ended as framed with no byte after it (else the connection is spent) */
        boolean readBody(ChunkedBody body, ChunkedBody.Sink sink) throws IOException {
            int taken = body.feed(buffer, start, end - start, readNanos, sink);
            boolean extra = taken < end - start;
            while (!body.done()) {
                int n = socket.getInputStream().read(buffer, 0, buffer.length);
                long nanos = System.nanoTime();
                if (n < 0) {
                    return false;
                }
                extra = body.feed(buffer, 0, n, nanos, sink) < n;
            }
            return !extra;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing is all that is left to do.
            }
        }
    }
}
