package dev.placement.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What one iperf3 throughput test gave: the rate the receiver saw, or why there is none.
 *
 * @param bitsPerSecond    iperf3's {@code end.sum_received.bits_per_second}, or empty if the test failed
 * @param failure          why the test gave no rate, or null if it did
 * @param reportedByIperf3 whether iperf3 itself reported the failure in its JSON {@code error} field (it ran
 *                         but the test did not complete, for example because no server listened yet), as
 *                         opposed to iperf3 not running or printing something else
 */
record Iperf3Result(OptionalDouble bitsPerSecond, String failure, boolean reportedByIperf3) {

    /** Far more than a report of a 60 s test (about 60 KB); more than this is not iperf3's report. */
    static final int MAX_OUTPUT_CHARS = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    Iperf3Result {
        Objects.requireNonNull(bitsPerSecond, "bitsPerSecond");
        if (bitsPerSecond.isPresent() == (failure != null)) {
            throw new IllegalArgumentException("an iperf3 result has either a rate or a failure");
        }
    }

    /**
     * @param why what went wrong, for the log line
     * @return a failure that iperf3 did not report itself
     */
    static Iperf3Result failed(String why) {
        return new Iperf3Result(OptionalDouble.empty(), Objects.requireNonNull(why, "why"), false);
    }

    /**
     * Reads the report that {@code iperf3 -c … -J} prints.
     *
     * @param stdout what the client printed on standard output; null is treated as empty
     * @return the received rate, iperf3's {@code error}, or what is wrong with the output
     */
    static Iperf3Result parse(String stdout) {
        String text = stdout == null ? "" : stdout;
        if (text.isBlank()) {
            return failed("iperf3 printed no report");
        }
        if (text.length() > MAX_OUTPUT_CHARS) {
            return failed("iperf3 printed " + text.length() + " characters, more than the " + MAX_OUTPUT_CHARS
                    + " a report can have");
        }
        JsonNode report;
        try {
            report = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return failed("iperf3 printed no JSON report: " + abbreviate(text));
        }
        if (report == null || !report.isObject()) {
            return failed("iperf3 printed no JSON report: " + abbreviate(text));
        }
        JsonNode error = report.get("error");
        if (error != null && !error.isNull()) {
            return new Iperf3Result(OptionalDouble.empty(), "iperf3 reported: " + abbreviate(error.asText()), true);
        }
        JsonNode rate = report.at("/end/sum_received/bits_per_second");
        if (!rate.isNumber() || !(rate.asDouble() > 0) || Double.isInfinite(rate.asDouble())) {
            return failed("iperf3's report has no positive end.sum_received.bits_per_second (was "
                    + (rate.isMissingNode() ? "missing" : abbreviate(rate.toString())) + ")");
        }
        return new Iperf3Result(OptionalDouble.of(rate.asDouble()), null, false);
    }

    /** @return whether the test gave a rate */
    boolean succeeded() {
        return bitsPerSecond.isPresent();
    }

    /** @return the received rate in bytes per second; only if {@link #succeeded()} */
    double bytesPerSecond() {
        return bitsPerSecond.getAsDouble() / 8;
    }

    /**
     * @param text text from a command, which can be long
     * @return its first line's first 200 characters, so a log line stays one line
     */
    static String abbreviate(String text) {
        String s = text.strip();
        int newline = s.indexOf('\n');
        String first = newline < 0 ? s : s.substring(0, newline).strip() + " ...";
        return first.length() > 200 ? first.substring(0, 200) + "..." : first;
    }
}
