package dev.placement.probe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reports that iperf3 3.12 printed on the machine the tests were written on (test resources under
 * {@code iperf3/}): a 1 s loopback test, a client that found no server, and a server whose port was taken.
 */
final class Iperf3Reports {
    /** {@code end.sum_received.bits_per_second} of {@link #LOOPBACK_1S}. */
    static final double LOOPBACK_BITS_PER_SECOND = 21393080945.568718;
    static final String LOOPBACK_1S = read("client-loopback-1s.json");
    static final String CONNECTION_REFUSED = read("client-connection-refused.json");
    static final String SERVER_ADDRESS_IN_USE = read("server-address-in-use.json");

    private Iperf3Reports() {
    }

    private static String read(String name) {
        try (InputStream in = Iperf3Reports.class.getResourceAsStream("/iperf3/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource iperf3/" + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
