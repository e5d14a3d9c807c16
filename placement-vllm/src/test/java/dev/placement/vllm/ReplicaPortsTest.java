package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.LaunchException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReplicaPortsTest {

    private final ReplicaPorts ports = new ReplicaPorts(new ReplicaPorts.Range(8000, 8002));

    @Test
    void eachLaunchTakesTheLowestPortFreeOnItsHostAndOtherHostsDoNotCount() {
        assertThat(ports.reserve("10.0.0.10").port()).isEqualTo(8000);
        assertThat(ports.reserve("10.0.0.10").port()).isEqualTo(8001);
        assertThat(ports.reserve("10.0.0.11").port()).as("another host").isEqualTo(8000);
        assertThat(ports.reserve("Edge-A").port()).isEqualTo(8000);
        assertThat(ports.reserve("edge-a").port()).as("host names compare ignoring case").isEqualTo(8001);
    }

    @Test
    void aReleasedPortIsTheNextOneTakenAndAStoppedPipelinesPortToo() {
        ReplicaPorts.Lease a = ports.reserve("h");
        ReplicaPorts.Lease b = ports.reserve("h");
        ports.assign(b, "pipeline-b");

        ports.release(a);
        assertThat(ports.reserve("h").port()).isEqualTo(8000);
        ports.releasePipeline("pipeline-b");
        assertThat(ports.reserve("h").port()).isEqualTo(8001);
        assertThat(ports.held()).isEqualTo(Map.of("h", Map.of(8000, ReplicaPorts.LAUNCHING,
                8001, ReplicaPorts.LAUNCHING)));
    }

    @Test
    void releasingALeaseTwiceNeverFreesThePortALaterLaunchHolds() {
        ReplicaPorts.Lease failed = ports.reserve("h");
        ports.release(failed);
        ReplicaPorts.Lease next = ports.reserve("h");
        ports.assign(next, "pipeline-2");

        ports.release(failed);

        assertThat(ports.held()).isEqualTo(Map.of("h", Map.of(8000, "pipeline-2")));
        assertThatThrownBy(() -> ports.assign(failed, "pipeline-3")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("h:8000 was released");
    }

    @Test
    void anExhaustedRangeNamesTheHostTheRangeAndEveryPortsHolder() {
        ports.assign(ports.reserve("10.0.0.10"), "ray-job-a");
        ports.reserve("10.0.0.10");
        ports.assign(ports.reserve("10.0.0.10"), "ray-job-c");

        assertThatThrownBy(() -> ports.reserve("10.0.0.10")).isInstanceOf(LaunchException.class)
                .hasMessage("no free port on 10.0.0.10 in portRange 8000 to 8002: this launcher's pipelines hold "
                        + "them all there (8000: ray-job-a, 8001: a launch under way, 8002: ray-job-c); stop one, or "
                        + "widen the launcher's portRange");
    }

    @Test
    void concurrentReservationsOnOneHostNeverShareAPort() throws Exception {
        int threads = 16;
        ReplicaPorts wide = new ReplicaPorts(new ReplicaPorts.Range(9000, 9000 + threads - 1));
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> taken = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                taken.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return wide.reserve("10.0.0.10").port();
                }));
            }
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : taken) {
                got.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat(got).doesNotHaveDuplicates().hasSize(threads).allMatch(p -> p >= 9000 && p < 9000 + threads);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aRangeOutsideTcpPortsOrUpsideDownIsRefusedNamingTheBound() {
        assertThatThrownBy(() -> new ReplicaPorts.Range(0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("portRange first must be 1 to 65535, was 0");
        assertThatThrownBy(() -> new ReplicaPorts.Range(8000, 70000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("portRange last must be 1 to 65535, was 70000");
        assertThatThrownBy(() -> LocalProcessLauncher.builder().portRange(8001, 8000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("portRange: last port 8000 is below the first, 8001");
    }
}
