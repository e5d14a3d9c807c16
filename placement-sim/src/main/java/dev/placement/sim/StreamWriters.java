package dev.placement.sim;

import com.sun.net.httpserver.HttpExchange;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every response stream of one loopback server shares: the threads that write chunks, the lateness
 * counters and the set of open exchanges that {@code close()} ends.
 *
 * @param executor runs each chunk write at its due time
 * @param lateness where each write's lateness is counted
 * @param open     the exchanges still streaming
 */
record StreamWriters(ScheduledExecutorService executor, WriteLateness lateness, Set<HttpExchange> open) {

    /** @return a factory of daemon threads named {@code name-1}, {@code name-2}, ... */
    static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
