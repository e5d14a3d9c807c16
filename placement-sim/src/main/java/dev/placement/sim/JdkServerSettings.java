package dev.placement.sim;

/**
 * The JDK HTTP server's settings this module's servers need, which the JDK reads once per JVM, when its first
 * server starts: so every server here sets them before it creates its own, and a value the user set is kept.
 * Without TCP_NODELAY (uvicorn, under vLLM, sets it) Nagle's algorithm held the first chunk until the client's
 * delayed ACK: +10 ms on every TTFT at 64 streams. Beyond 200 idle keep-alive connections (the default) the JDK
 * server closed those a client had kept.
 */
final class JdkServerSettings {
    private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private static final String MAX_IDLE_PROPERTY = "sun.net.httpserver.maxIdleConnections";
    /** The idle keep-alive connections kept open. */
    static final int MAX_IDLE_CONNECTIONS = 4096;

    private JdkServerSettings() {
    }

    /** Sets TCP_NODELAY and {@link #MAX_IDLE_CONNECTIONS}, unless already set; call before creating a server. */
    static void apply() {
        System.setProperty(NODELAY_PROPERTY, System.getProperty(NODELAY_PROPERTY, "true"));
        System.setProperty(MAX_IDLE_PROPERTY, System.getProperty(MAX_IDLE_PROPERTY, "" + MAX_IDLE_CONNECTIONS));
    }
}
