package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.placement.api.LaunchException;
import dev.placement.api.PipelineLauncher;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.RunningPipeline;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every launcher must do for several replicas of one model running at once from one launcher instance, with
 * real servers on 127.0.0.1: distinct ports on one host, stop isolation, ports given back by a stop or a failed
 * launch, a clear error when the range is exhausted, and concurrent launches on distinct ports. A subclass gives
 * the launcher and a placement whose rank 0 serves on 127.0.0.1.
 */
abstract class ReplicaLauncherContract {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RunningPipeline> launched = new CopyOnWriteArrayList<>();
    private PipelineLauncher launcher;

    /**
     * @param firstPort the launcher's {@code portRange} start
     * @param lastPort  its end
     * @param progress  the launcher's progress listener
     * @return a launcher whose pipelines serve on 127.0.0.1
     */
    abstract PipelineLauncher launcher(int firstPort, int lastPort, LaunchProgress progress);

    /** @return a placement whose rank 0 is at 127.0.0.1 */
    abstract Placement placement();

    /** @return the request {@link #placement()} was chosen for */
    abstract PlacementRequest request();

    /** Runs after every pipeline a test launched was stopped (JUnit runs a subclass's {@code @AfterEach} first). */
    void afterStops() {
    }

    @AfterEach
    void stopEverythingLaunched() {
        try {
            for (RunningPipeline p : launched) {
                launcher.stop(p);
            }
        } finally {
            afterStops();
        }
    }

    /** @return the builder with the timings these tests use: 50 ms polls, 30 s to start, 5 s to stop */
    static <B extends LauncherBuilder<B>> B quick(B builder) {
        return builder.pollInterval(Duration.ofMillis(50)).readyTimeout(Duration.ofSeconds(30))
                .stopGracePeriod(Duration.ofSeconds(5)).drainTimeout(Duration.ofSeconds(2));
    }

    private PipelineLauncher use(int first, int last, LaunchProgress progress) {
        launcher = launcher(first, last, progress);
        return launcher;
    }

    private RunningPipeline launch() {
        RunningPipeline p = launcher.launch(placement(), request());
        launched.add(p);
        return p;
    }

    /** @return the first of {@code n} consecutive ports that are free on 127.0.0.1 now */
    static int freePortRun(int n) throws IOException {
        while (true) {
            List<ServerSocket> held = new ArrayList<>();
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                try {
                    for (int p = port + 1; p < port + n && p <= 65535; p++) {
                        held.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
                    }
                    if (held.size() == n - 1) {
                        return port;
                    }
                } catch (IOException taken) {
                    // another process has one of them: try another run
                } finally {
                    for (ServerSocket s : held) {
                        s.close();
                    }
                }
            }
        }
    }

    private boolean serving(URI endpoint) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(endpoint.resolve("/health")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException refused) {
            return false;
        }
    }

    /** @return two pipelines launched one after the other from a launcher on {@code port} and {@code port + 1} */
    private List<RunningPipeline> launchTwo(int port) {
        use(port, port + 1, LaunchProgress.NONE);
        return List.of(launch(), launch());
    }

    @Test
    void twoLivePipelinesServeOnDistinctPortsAndStoppingOneLeavesTheOtherServing() throws Exception {
        int port = freePortRun(2);

        List<RunningPipeline> two = launchTwo(port);

        RunningPipeline a = two.get(0);
        RunningPipeline b = two.get(1);

        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(List.of(a.endpoint(), b.endpoint())).containsExactly(URI.create("http://127.0.0.1:" + port),
                URI.create("http://127.0.0.1:" + (port + 1)));
        assertThat(serving(a.endpoint())).isTrue();
        assertThat(serving(b.endpoint())).isTrue();

        launcher.stop(a);

        assertThat(serving(a.endpoint())).as("the stopped replica's server is gone").isFalse();
        assertThat(launcher.isAlive(a)).isFalse();
        assertThat(serving(b.endpoint())).as("its sibling still serves").isTrue();
        assertThat(launcher.isAlive(b)).isTrue();
    }

    @Test
    void aPortFreedByAStopIsTakenByTheNextLaunch() throws Exception {
        int port = freePortRun(2);
        List<RunningPipeline> two = launchTwo(port);
        RunningPipeline a = two.get(0);
        RunningPipeline b = two.get(1);

        launcher.stop(a);
        RunningPipeline c = launch();

        assertThat(c.endpoint().getPort()).isEqualTo(port);
        assertThat(c.id()).isNotIn(a.id(), b.id());
        assertThat(serving(c.endpoint())).isTrue();
        assertThat(serving(b.endpoint())).isTrue();
    }

    @Test
    void aFailedLaunchGivesItsPortBack() throws Exception {
        int port = freePortRun(1);
        use(port, port, LaunchProgress.NONE);
        // Something this launcher did not start holds the port (and answers 503): the server cannot bind it.
        HttpServer foreign = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        foreign.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        foreign.start();
        try {
            assertThatThrownBy(this::launch).isInstanceOf(LaunchException.class);
        } finally {
            foreign.stop(0);
        }

        RunningPipeline p = launch();

        assertThat(p.endpoint().getPort()).as("the failed launch's port").isEqualTo(port);
        assertThat(serving(p.endpoint())).isTrue();
    }

    @Test
    void anExhaustedRangeIsALaunchExceptionNamingTheHostTheRangeAndWhatHoldsIt() throws Exception {
        int port = freePortRun(1);
        use(port, port, LaunchProgress.NONE);
        RunningPipeline a = launch();

        assertThatThrownBy(this::launch).isInstanceOf(LaunchException.class)
                .hasMessageContaining("no free port on 127.0.0.1 in portRange " + port)
                .hasMessageContaining(port + ": " + a.id())
                .hasMessageContaining("widen the launcher's portRange");
        assertThat(serving(a.endpoint())).as("the refused launch touched nothing").isTrue();
    }

    @Test
    void concurrentLaunchesGetDistinctPorts() throws Exception {
        int port = freePortRun(2);
        // Each launch waits, past its reservation, until the other has reached the same point: they overlap.
        CountDownLatch both = new CountDownLatch(2);
        List<Thread> waited = new CopyOnWriteArrayList<>();
        use(port, port + 1, (state, time) -> {
            if (!waited.contains(Thread.currentThread())) {
                waited.add(Thread.currentThread());
                both.countDown();
                try {
                    both.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<RunningPipeline> a = pool.submit(this::launch);
            Future<RunningPipeline> b = pool.submit(this::launch);

            List<Integer> ports = List.of(a.get(60, TimeUnit.SECONDS).endpoint().getPort(),
                    b.get(60, TimeUnit.SECONDS).endpoint().getPort());

            assertThat(both.getCount()).as("the launches overlapped").isZero();
            assertThat(ports).containsExactlyInAnyOrder(port, port + 1);
            assertThat(serving(a.get().endpoint())).isTrue();
            assertThat(serving(b.get().endpoint())).isTrue();
        } finally {
            pool.shutdown();
        }
    }
}
