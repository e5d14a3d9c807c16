package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.sim.LoopbackStreamingServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What only the netty transport does: refuse https, stay out of the way when Netty is absent, and stamp through
 * {@link ServingBenchmark} as the other transports do ({@link TransportTest} holds the behaviours they share).
 */
class NettyTransportTest {
    private static final String PROPERTY = "placement.bench.transport";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void failsAnHttpsRequestInOneLine() {
        RequestRecord r = send(new NettyTransport(1, Duration.ofSeconds(5), JSON),
                URI.create("https://127.0.0.1:1/v1/completions"), 0);
        assertThat(r.failure()).isEqualTo(FailureKind.CONNECTION);
        assertThat(r.failureDetail()).isEqualTo(NettyTransport.HTTP_ONLY);
    }

    /**
     * The server reads the second request on the kept connection and closes it without a byte of answer. With one
     * loop the second request is taken after the read that kept the connection, so it always finds it kept.
     */
    @Test
    void sendsAgainOnANewConnectionWhenTheKeptOneClosesUnanswered() throws Exception {
        Transport transport = new NettyTransport(1, Duration.ofSeconds(5), JSON);
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Its own thread, not the common pool: a blocked task of another test there would starve it.
            CompletableFuture<Void> served = new CompletableFuture<>();
            Thread serving = new Thread(() -> {
                try {
                    try (Socket first = listener.accept()) {
                        TransportTest.readRequest(first.getInputStream());
                        TransportTest.answer(first);
                        TransportTest.readRequest(first.getInputStream());
                    }
                    try (Socket second = listener.accept()) {
                        TransportTest.readRequest(second.getInputStream());
                        TransportTest.answer(second);
                    }
                    served.complete(null);
                } catch (IOException e) {
                    served.completeExceptionally(e);
                }
            });
            serving.setDaemon(true);
            serving.start();
            URI uri = URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/v1/completions");
            for (int i = 0; i < 2; i++) {
                RequestRecord r = send(transport, uri, i);
                assertThat(r.failure()).as("request %d: %s", i, r.failureDetail()).isNull();
            }
            served.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void stampsEveryChunkNoEarlierThanTheServerSentItThroughTheBenchmark() throws Exception {
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder().recordSendTimes().start()) {
            List<BenchmarkPrompt> prompts = TimedRun.numberedPrompts(16);
            ServingBenchmark benchmark = withTransport("netty", () -> ServingBenchmark.builder()
                    .baseUrl(server.baseUrl()).model(server.modelName()).inputTokens(8).outputTokens(10)
                    .prompts(prompts).numPrompts(prompts.size()).maxConcurrency(8).warmupRequests(2).build());
            TimedRun run = TimedRun.of(server, benchmark, prompts);

            assertThat(run.result().completed()).isEqualTo(16);
            run.assertChunksStampedNoEarlierThanSent();
            run.assertStatisticsAreThoseOfTheRecords();
        }
    }

    /** The benchmark's classes loaded again by a loader that finds no Netty class, as in the CLI jar. */
    @Test
    void refusesNettyInOneLineWithoutItAndBuildsTheDefaultWithoutTouchingIt() throws Exception {
        ClassLoader noNetty = new WithoutNetty(getClass().getClassLoader());
        Class<?> benchmark = Class.forName(ServingBenchmark.class.getName(), true, noNetty);
        assertThat(benchmark.getClassLoader()).isSameAs(noNetty);

        Throwable refused = withTransport("netty", () -> {
            try {
                build(benchmark);
                return null;
            } catch (InvocationTargetException e) {
                return e.getCause();
            }
        });
        assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Dplacement.bench.transport=netty needs Netty on the class path "
                        + "(io.netty:netty-transport 4.2.18.Final)");
        for (String other : List.of("socket", "selector", "jdk")) {
            assertThat(withTransport(other, () -> build(benchmark))).as(other).isNotNull();
        }
    }

    private static RequestRecord send(Transport transport, URI uri, int index) {
        StreamingRequest request = new StreamingRequest(index, 1, System.nanoTime(), JSON);
        transport.send(request, uri, "{}".getBytes(StandardCharsets.UTF_8), null);
        return request.outcome().orTimeout(30, TimeUnit.SECONDS).join();
    }

    private static Object build(Class<?> benchmark) throws ReflectiveOperationException {
        Object builder = benchmark.getMethod("builder").invoke(null);
        return builder.getClass().getMethod("build").invoke(builder);
    }

    /** Runs with {@code -Dplacement.bench.transport} set, as the benchmark reads it when it is built. */
    private static <T> T withTransport(String transport, Action<T> action) throws Exception {
        String before = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, transport);
        try {
            return action.run();
        } finally {
            if (before == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, before);
            }
        }
    }

    private interface Action<T> {
        T run() throws Exception;
    }

    /** Defines this package's classes itself (so they link against it) and finds no class of Netty's. */
    private static final class WithoutNetty extends ClassLoader {
        private static final String OURS = ServingBenchmark.class.getPackageName() + ".";

        WithoutNetty(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.netty.")) {
                throw new ClassNotFoundException(name);
            }
            if (!name.startsWith(OURS)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = define(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }

        private Class<?> define(String name) throws ClassNotFoundException {
            try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                if (in == null) {
                    throw new ClassNotFoundException(name);
                }
                byte[] bytes = in.readAllBytes();
                return defineClass(name, bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new ClassNotFoundException(name, e);
            }
        }
    }
}
