package dev.placement.probe;

import dev.placement.api.CommandRunner;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands as processes on this machine, for tests that run real programs; only for nodes at 127.0.0.1
 * and commands whose {@code -c} target is 127.0.0.1, so a test can never send traffic anywhere else.
 * Records what it ran. Thread-safe.
 */
final class LocalCommandRunner implements CommandRunner {
    static final String LOOPBACK = "127.0.0.1";
    /** Output beyond this is not kept, so a runaway program cannot fill the test's memory. */
    private static final int MAX_OUTPUT_BYTES = 1 << 20;

    private final List<String> calls = new ArrayList<>();

    @Override
    public CommandResult run(NodeSpec node, List<String> command, Duration timeout) {
        if (!LOOPBACK.equals(node.address())) {
            throw new IllegalStateException("the local test runner runs only for nodes at " + LOOPBACK + ", not '"
                    + node.address() + "'");
        }
        int target = command.indexOf("-c");
        if (target >= 0 && !LOOPBACK.equals(command.get(target + 1))) {
            throw new IllegalStateException("the local test runner connects only to " + LOOPBACK + ": " + command);
        }
        synchronized (calls) {
            calls.add(node.id() + " " + String.join(" ", command));
        }
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("bw-test-", ".out");
            err = Files.createTempFile("bw-test-", ".err");
            Process process;
            try {
                process = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                throw new PlacementException("cannot run '" + command.get(0) + "' on node '" + node.id() + "': "
                        + e.getMessage(), e);
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new PlacementException("'" + command.get(0) + "' on node '" + node.id() + "' timed out after "
                        + timeout.toMillis() + " ms");
            }
            return new CommandResult(process.exitValue(), head(out), head(err));
        } catch (IOException e) {
            throw new PlacementException("cannot run '" + command.get(0) + "' locally: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlacementException("interrupted while running '" + command.get(0) + "'", e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /** @return the commands run so far, each as {@code "nodeId program args..."} */
    List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    private static String head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8);
        }
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // A temporary file left behind does no harm to the test's outcome.
            }
        }
    }
}
