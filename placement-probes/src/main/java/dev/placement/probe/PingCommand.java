package dev.placement.probe;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The argument vector of an iputils {@code ping} run: numeric output, a fixed count of echo requests 200 ms
 * apart, a per-reply timeout and an overall deadline so the command always ends.
 *
 * @param program      the ping program, for example {@code ping} or {@code /usr/bin/ping}
 * @param count        echo requests to send, 1 to 100
 * @param replyTimeout how long to wait for each reply, at least 1 s (ping's {@code -W} is in whole seconds)
 */
record PingCommand(String program, int count, Duration replyTimeout) {

    PingCommand {
        Objects.requireNonNull(program, "program");
        if (program.isBlank()) {
            throw new IllegalArgumentException("the ping program must not be blank");
        }
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("count must be 1 to 100, was " + count);
        }
        Objects.requireNonNull(replyTimeout, "replyTimeout");
        if (replyTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("replyTimeout must be at least 1 s (ping's -W is in seconds), was "
                    + replyTimeout);
        }
    }

    /** @return ping's own deadline in seconds ({@code -w}): all requests sent plus one reply timeout */
    long deadlineSeconds() {
        return (long) Math.ceil(count * 0.2) + replyTimeout.toSeconds();
    }

    /** @return how long the caller should wait for ping to exit: its deadline plus a margin */
    Duration processTimeout() {
        return Duration.ofSeconds(deadlineSeconds() + 5);
    }

    /**
     * @param address the host to ping
     * @return the argument vector
     * @throws IllegalArgumentException if the address is not a host name or IP address (it could be read as
     *                                  one of ping's options)
     */
    List<String> argv(String address) {
        return List.of(program, "-n", "-c", Integer.toString(count), "-i", "0.2",
                "-W", Long.toString(replyTimeout.toSeconds()), "-w", Long.toString(deadlineSeconds()),
                HostAddress.require(address, "ping"));
    }
}
