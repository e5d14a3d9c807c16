package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Which transport the bench client sends over, from {@code -Dplacement.bench.transport}. The default is blocking
 * sockets, a thread each ({@link SocketTransport}): measured against the server's send times, the JDK client's one
 * selector thread merged 58 % of the gaps at 256 streams on 2 cores (docs/PERFORMANCE.md). The others are kept to
 * be measured again: {@code jdk} the JDK client, {@code selector} one selector per core, {@code virtual} the
 * socket transport on virtual threads (Java 21+), {@code netty} Netty's event loops (when Netty is on the class
 * path).
 */
final class Transports {
    static final String NETTY_NEEDED = "-Dplacement.bench.transport=netty needs Netty on the class path "
            + "(io.netty:netty-transport 4.2.18.Final)";

    private Transports() {
    }

    /**
     * @param stack  the property's value; an unknown one gets the default
     * @param client makes the JDK client, for {@code jdk}
     * @throws IllegalArgumentException if the stack needs what this JVM lacks (virtual threads, Netty)
     */
    static Transport chosen(String stack, Duration connectTimeout, ObjectMapper json, Supplier<HttpClient> client) {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        return switch (stack) {
            case "jdk" -> new JdkTransport(client.get());
            case "selector" -> new SelectorTransport(cores, json, new SocketTransport(connectTimeout, json));
            case "netty" -> netty(cores, connectTimeout, json);
            case "virtual" -> new SocketTransport(connectTimeout, json, SocketTransport.virtualThreads());
            default -> new SocketTransport(connectTimeout, json);
        };
    }

    /**
     * Netty is optional: it is looked up before the transport that needs it is made, so that without it only
     * this choice fails, in one line, and the other transports never touch a Netty class.
     *
     * @throws IllegalArgumentException if Netty 4.2 is not on the class path
     */
    private static Transport netty(int threads, Duration connectTimeout, ObjectMapper json) {
        try {
            Class.forName("io.netty.channel.nio.NioIoHandler", false, Transports.class.getClassLoader());
            return new NettyTransport(threads, connectTimeout, json);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(NETTY_NEEDED);
        }
    }
}
