package dev.placement.vllm.bench;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;

/**
 * The idle HTTP/1.1 connections a transport keeps per server for the next request, the most recently used
 * first. One idle for 4 s or more is closed instead of used: uvicorn, under vLLM, closes them after 5 s.
 *
 * <p>Thread-safe.
 *
 * @param <C> the transport's connection
 */
final class KeptConnections<C> {
    private static final long MAX_IDLE_NANOS = Duration.ofSeconds(4).toNanos();

    private final Map<String, ConcurrentLinkedDeque<Idle<C>>> idle = new ConcurrentHashMap<>();
    private final Consumer<C> close;

    /** @param close closes a connection that has been idle too long */
    KeptConnections(Consumer<C> close) {
        this.close = close;
    }

    /** A kept connection and {@link System#nanoTime()} when it was kept. */
    private record Idle<C>(C connection, long since) {
    }

    /** @return the key of the server a request goes to */
    static String key(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort();
    }

    /** Keeps a connection whose answer ended cleanly, idle from now. */
    void keep(String key, C connection) {
        idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).offerFirst(new Idle<>(connection,
                System.nanoTime()));
    }

    /** @return the most recently kept connection to the server, or {@code null}; closes those idle too long */
    C take(String key) {
        ConcurrentLinkedDeque<Idle<C>> kept = idle.get(key);
        if (kept == null) {
            return null;
        }
        long now = System.nanoTime();
        Idle<C> stale;
        while ((stale = kept.peekLast()) != null && now - stale.since() > MAX_IDLE_NANOS) {
            if (kept.removeLastOccurrence(stale)) {
                close.accept(stale.connection());
            }
        }
        Idle<C> latest = kept.pollFirst();
        return latest == null ? null : latest.connection();
    }

    /** Forgets a kept connection the server has closed; nothing if it is not kept (a request has it). */
    void forget(String key, C connection) {
        ConcurrentLinkedDeque<Idle<C>> kept = idle.get(key);
        if (kept != null) {
            kept.removeIf(i -> i.connection() == connection);
        }
    }
}
