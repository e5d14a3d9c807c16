package dev.placement.sim;

import com.sun.net.httpserver.HttpExchange;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every response stream of one loopback server shares: the threads that write chunks, the lateness
 * counters and the set of open exchanges that {@code close()} ends.
 *
 * @param executor runs each chunk write at its due time
 * @param lateness where each write's lateness is counted
 * @param open     the exchanges still streaming
 */
record StreamWriters(ScheduledExecutorService executor, WriteLateness lateness, Set<HttpExchange> open) {
}
