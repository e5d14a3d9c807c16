package dev.placement.probe;

import dev.placement.api.CommandRunner;
import dev.placement.api.CommandRunner.CommandResult;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Measures the bandwidth of one ordered pair with iperf3: a one-off server on the receiving node, then the
 * client on the sending node, through a {@link CommandRunner}.
 *
 * <p>The daemonised server returns before it listens, so a client may find nothing listening yet; and a
 * one-off server left from an earlier test may still be closing. So when iperf3 reports that the test did not
 * run, the pair is tried again, up to {@link #ATTEMPTS} times, each time with a fresh server (a second server on
 * a port that is already served exits at once, harmlessly) and a pause that doubles from
 * {@link #FIRST_PAUSE}. Failures that another try would not mend (no iperf3 on a node, a node the runner
 * cannot reach, output that is not a report) end the pair at once.
 *
 * <p>Immutable; thread-safe if the runner is, but two pairs with the same receiver must not run at once, as
 * they would share the server's port.
 */
final class Iperf3Pair {
    /** How many times a test that iperf3 reports as failed is tried. */
    static final int ATTEMPTS = 4;
    /** The pause before the second try; each later pause is twice the one before. */
    static final Duration FIRST_PAUSE = Duration.ofMillis(100);

    /** Waits between tries; a seam so that tests of the retries need not wait. */
    @FunctionalInterface
    interface Pause {
        /**
         * @param duration how long to wait
         * @throws InterruptedException if the thread is interrupted while waiting
         */
        void pause(Duration duration) throws InterruptedException;
    }

    private final CommandRunner runner;
    private final Iperf3Command command;
    private final Pause pause;

    Iperf3Pair(CommandRunner runner, Iperf3Command command, Pause pause) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.command = Objects.requireNonNull(command, "command");
        this.pause = Objects.requireNonNull(pause, "pause");
    }

    /**
     * Measures what {@code from} can send to {@code to}.
     *
     * @param from the sending node, where the client runs
     * @param to   the receiving node, where the server runs and whose address the client connects to
     * @return the rate the receiver saw, or why there is none
     * @throws PlacementException if the thread is interrupted
     */
    Iperf3Result measure(NodeSpec from, NodeSpec to) {
        List<String> client;
        try {
            client = command.clientArgv(to.address());
        } catch (IllegalArgumentException e) {
            return Iperf3Result.failed("node '" + to.id() + "': " + e.getMessage());
        }
        Iperf3Result last = null;
        Duration wait = FIRST_PAUSE;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                pauseFor(wait);
                wait = wait.multipliedBy(2);
            }
            String serverProblem = startServer(to);
            if (serverProblem != null) {
                return Iperf3Result.failed(serverProblem);
            }
            last = runClient(from, to, client);
            if (last.succeeded() || !last.reportedByIperf3()) {
                return last;
            }
        }
        return Iperf3Result.failed(last.failure() + " (" + ATTEMPTS + " tries, a fresh server on node '" + to.id()
                + "' port " + command.port() + " each time; is the port open and iperf3 able to listen there?)");
    }

    /** @return why the server could not be started, or null if it was */
    private String startServer(NodeSpec to) {
        CommandResult result;
        try {
            result = runner.run(to, command.serverArgv(), command.serverTimeout());
        } catch (PlacementException e) {
            return "cannot start the iperf3 server on node '" + to.id() + "': " + e.getMessage();
        }
        if (result.exitCode() != 0) {
            return "the iperf3 server on node '" + to.id() + "' did not start (" + describe(result) + ")"
                    + missingProgramHint(result);
        }
        return null;
    }

    private Iperf3Result runClient(NodeSpec from, NodeSpec to, List<String> client) {
        CommandResult result;
        try {
            result = runner.run(from, client, command.clientTimeout());
        } catch (PlacementException e) {
            return Iperf3Result.failed("cannot run the iperf3 client on node '" + from.id() + "': "
                    + e.getMessage());
        }
        Iperf3Result parsed = Iperf3Result.parse(result.stdout());
        if (parsed.succeeded() || parsed.reportedByIperf3()) {
            return parsed;
        }
        return Iperf3Result.failed("the iperf3 client on node '" + from.id() + "' sending to '" + to.id()
                + "' gave no rate (" + describe(result) + "; " + parsed.failure() + ")" + missingProgramHint(result));
    }

    private void pauseFor(Duration duration) {
        try {
            pause.pause(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlacementException("interrupted while measuring bandwidth with iperf3", e);
        }
    }

    private static String describe(CommandResult result) {
        String err = result.stderr().isBlank() ? "" : ": " + Iperf3Result.abbreviate(result.stderr());
        return "exit code " + result.exitCode() + err;
    }

    private String missingProgramHint(CommandResult result) {
        // A shell reports 127 for a program it cannot find; some runners only say so on stderr.
        String err = result.stderr().toLowerCase(Locale.ROOT);
        if (result.exitCode() == 127 || err.contains("command not found") || err.contains("no such file")) {
            return "; install iperf3 there (apt-get install iperf3) or set its path with "
                    + "BandwidthProbe.builder(...).program(...)";
        }
        return "";
    }
}
