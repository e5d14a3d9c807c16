package dev.placement.benchmarks.serving;

import dev.placement.core.orchestrator.PlacementOrchestrator;
import dev.placement.gateway.PlacementGateway;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gateway {@link GatewayOverheadBenchmark} measures, in the benchmark's JVM or in a JVM of its own
 * ({@link GatewayMain}), in front of one upstream server.
 */
interface GatewayUnderTest extends AutoCloseable {
    /** The system property whose value (flags separated by spaces) the gateway's own JVM is started with. */
    String JVM_FLAGS = "gateway.jvmFlags";

    /**
     * Where the benchmark's client sends its requests.
     *
     * @return the gateway's base URI
     */
    URI baseUri();

    /**
     * The CPU time the gateway's process has used so far, or 0 when it shares the benchmark's JVM (its CPU cannot
     * be told apart there).
     *
     * @return nanoseconds of CPU, user and system
     */
    long cpuNanos();

    /**
     * The time the gateway's JVM has spent compiling so far (the benchmark's own JVM when it shares it), so that a
     * harness can tell when the JIT has settled.
     *
     * @return milliseconds of JIT compilation
     * @throws UncheckedIOException if the gateway's JVM does not answer
     */
    long jitMillis();

    /** Stops the gateway (and its JVM). */
    @Override
    void close();

    /**
     * A gateway in this JVM.
     *
     * @param upstream the server's base URL
     * @return the started gateway
     */
    static GatewayUnderTest inThisJvm(URI upstream) {
        PlacementOrchestrator orchestrator = GatewayMain.orchestrator(upstream);
        orchestrator.runOnce();
        PlacementGateway gateway = PlacementGateway.builder().orchestrator(orchestrator).build();
        gateway.start();
        return new GatewayUnderTest() {
            @Override
            public URI baseUri() {
                return gateway.baseUri();
            }

            @Override
            public long cpuNanos() {
                return 0;
            }

            @Override
            public long jitMillis() {
                return GatewayMain.jitMillis();
            }

            @Override
            public void close() {
                gateway.close();
                orchestrator.close();
            }
        };
    }

    /**
     * A gateway in a JVM of its own, started with this JVM's class path and the flags of {@value #JVM_FLAGS},
     * asked for its JIT's time over its standard input and stopped by closing it.
     *
     * @param upstream the server's base URL
     * @return the started gateway, once it listens
     * @throws UncheckedIOException if the JVM cannot be started or says no port
     */
    static GatewayUnderTest inItsOwnJvm(URI upstream) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String flags = System.getProperty(JVM_FLAGS, "").strip();
        if (!flags.isEmpty()) {
            command.addAll(List.of(flags.split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayMain.class.getName(),
                upstream.toString()));
        try {
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith(GatewayMain.LISTENING)) {
                // skip what it prints before it listens
            }
            if (line == null) {
                child.destroyForcibly();
                throw new UncheckedIOException(new IOException("the gateway's JVM ended before it listened"));
            }
            URI base = URI.create("http://127.0.0.1:" + line.substring(GatewayMain.LISTENING.length()).strip());
            PrintStream in = new PrintStream(child.getOutputStream(), true, StandardCharsets.UTF_8);
            return new GatewayUnderTest() {
                @Override
                public URI baseUri() {
                    return base;
                }

                @Override
                public long cpuNanos() {
                    return child.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
                }

                @Override
                public long jitMillis() {
                    in.println(GatewayMain.ASK_JIT);
                    try {
                        String answer = out.readLine();
                        if (answer == null || !answer.startsWith(GatewayMain.JIT)) {
                            throw new IOException("the gateway's JVM answered " + answer + " for its JIT time");
                        }
                        return Long.parseLong(answer.substring(GatewayMain.JIT.length()).strip());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }

                @Override
                public void close() {
                    in.close();
                    try {
                        if (!child.waitFor(30, TimeUnit.SECONDS)) {
                            child.destroyForcibly();
                        }
                    } catch (InterruptedException e) {
                        child.destroyForcibly();
                        Thread.currentThread().interrupt();
                    }
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the gateway's JVM: " + e.getMessage(), e);
        }
    }
}
