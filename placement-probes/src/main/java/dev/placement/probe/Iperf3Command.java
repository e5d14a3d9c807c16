package dev.placement.probe;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The argument vectors of one iperf3 throughput test: a one-off server daemonised on the receiving node and a
 * TCP client on the sending node that reports in JSON. Both are bounded in time, so no run is left waiting.
 *
 * @param program  the iperf3 program on the nodes, a name looked up on the PATH or an absolute path
 * @param port     the TCP port the server listens on, 1 to 65535
 * @param duration how long the client sends, whole seconds, 1 to 60 s (iperf3's {@code -t} is in seconds)
 */
record Iperf3Command(String program, int port, Duration duration) {

    /** How long the client waits for the server's control connection (iperf3's {@code --connect-timeout}). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /**
     * How long a server waits for its client before exiting by itself ({@code --idle-timeout}, which ends a
     * one-off server). Longer than one client attempt including a slow SSH login to the sender, so the client
     * finds it; short enough that a server whose client never came does not hold the port for long.
     */
    static final Duration SERVER_IDLE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * What a program may look like: a name or a path, never an option and never shell text. The runner
     * quotes every argument anyway; this keeps a typo from becoming another program's option.
     */
    private static final Pattern PROGRAM = Pattern.compile("[A-Za-z0-9._/+][A-Za-z0-9._/+-]{0,254}");


    Iperf3Command {
        Objects.requireNonNull(program, "program");
        if (!PROGRAM.matcher(program).matches()) {
            throw new IllegalArgumentException("program '" + program + "' is not a program name or path: use 1 to"
                    + " 255 of A-Z a-z 0-9 . _ / + -, not starting with -");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
        }
        Objects.requireNonNull(duration, "duration");
        if (duration.toNanos() % 1_000_000_000L != 0 || duration.toSeconds() < 1 || duration.toSeconds() > 60) {
            throw new IllegalArgumentException("duration must be whole seconds from 1 to 60 s (iperf3's -t is in "
                    + "seconds), was " + duration);
        }
    }

    /**
     * The server: handles one client and exits ({@code -1}), detaches so the runner returns at once
     * ({@code -D}), and exits by itself if no client comes ({@code --idle-timeout}).
     *
     * @return the argument vector
     */
    List<String> serverArgv() {
        return List.of(program, "-s", "-1", "-D", "-p", Integer.toString(port),
                "--idle-timeout", Long.toString(SERVER_IDLE_TIMEOUT.toSeconds()));
    }

    /** @return how long to wait for the server command: it returns as soon as it has detached */
    Duration serverTimeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * The client: sends to the server for {@link #duration()} and prints one JSON report.
     *
     * @param address the receiving node's address
     * @return the argument vector
     * @throws IllegalArgumentException if the address is not a host name or IP address
     */
    List<String> clientArgv(String address) {
        return List.of(program, "-c", HostAddress.require(address, "iperf3"), "-p", Integer.toString(port), "-t",
                Long.toString(duration.toSeconds()), "-J", "--connect-timeout",
                Long.toString(CONNECT_TIMEOUT.toMillis()));
    }

    /** @return how long to wait for the client: connecting, sending, and the closing exchange with a margin */
    Duration clientTimeout() {
        return CONNECT_TIMEOUT.plus(duration).plusSeconds(10);
    }
}
