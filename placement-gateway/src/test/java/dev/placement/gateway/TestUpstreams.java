package dev.placement.gateway;

import com.sun.net.httpserver.HttpServer;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import dev.placement.sim.StandInVllmServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** Upstreams the unit tests put behind the gateway, all on 127.0.0.1, and a launcher that starts them in-process. */
final class TestUpstreams {
    private TestUpstreams() {
    }

    /** Starts, per launch, what the function returns for the launch's number (from 1); stops it on stop. */
    static final class Launcher implements PipelineLauncher {
        final AtomicInteger launches = new AtomicInteger();
        final Map<String, AutoCloseable> running = new ConcurrentHashMap<>();
        private final IntFunction<Upstream> upstreams;

        Launcher(IntFunction<Upstream> upstreams) {
            this.upstreams = upstreams;
        }

        @Override
        public RunningPipeline launch(Placement placement, PlacementRequest request) {
            int n = launches.incrementAndGet();
            Upstream u = upstreams.apply(n);
            String id = "test-" + n;
            running.put(id, u.closer());
            return new RunningPipeline(id, placement, u.endpoint(), Instant.now());
        }

        @Override
        public void stop(RunningPipeline pipeline) {
            AutoCloseable c = running.remove(pipeline.id());
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** @param endpoint where it serves; @param closer stops it */
    record Upstream(URI endpoint, AutoCloseable closer) {
    }

    static Upstream standIn() {
        try {
            StandInVllmServer s = StandInVllmServer.start(0, "m", 1, 1);
            return new Upstream(URI.create("http://127.0.0.1:" + s.port()), s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server answering {@code GET /v1/models} that records every {@code Authorization} header it gets. */
    static final class Recording {
        final List<String> authorizations = new CopyOnWriteArrayList<>();
        final HttpServer server;

        Recording() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/v1/models", e -> {
                authorizations.add(String.valueOf(e.getRequestHeaders().getFirst("Authorization")));
                byte[] b = "{\"object\":\"list\",\"data\":[{\"id\":\"m\"}]}".getBytes(StandardCharsets.UTF_8);
                e.getResponseHeaders().set("Content-Type", "application/json");
                e.sendResponseHeaders(200, b.length);
                e.getResponseBody().write(b);
                e.close();
            });
            server.start();
        }

        Upstream upstream() {
            return new Upstream(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), () -> server.stop(0));
        }
    }

    /**
     * Accepts connections, reads each request's head, counts it, waits for {@link #release} and closes the
     * connection without a byte of answer: an upstream that fails before its first byte.
     */
    static final class FailsBeforeFirstByte implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        final CountDownLatch arrived = new CountDownLatch(1);
        final CountDownLatch release;
        private final ServerSocket socket;

        FailsBeforeFirstByte(boolean waitForRelease) throws IOException {
            release = new CountDownLatch(waitForRelease ? 1 : 0);
            socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            Thread t = new Thread(this::serve, "fails-before-first-byte");
            t.setDaemon(true);
            t.start();
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    InputStream in = s.getInputStream();
                    int matched = 0;
                    while (matched < 4) { // up to the end of the head
                        int c = in.read();
                        if (c < 0) {
                            break;
                        }
                        matched = (c == '\r' || c == '\n') ? matched + 1 : 0;
                    }
                    requests.incrementAndGet();
                    arrived.countDown();
                    release.await();
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            socket.close();
        }
    }
}
