package dev.placement.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one run of Linux iputils {@code ping} reported: the per-reply round-trip times and whether any reply
 * came back. Also reads busybox's output, which prints replies the same way.
 *
 * @param samplesMillis the RTT of each reply, in the order printed
 * @param statistics    whether the closing statistics block ({@code --- host ping statistics ---}) was found,
 *                      which tells a run that ended normally from one that failed before pinging
 */
record PingOutput(List<Double> samplesMillis, boolean statistics) {

    private static final Pattern REPLY_TIME = Pattern.compile("\\btime[=<]\\s*([0-9]+(?:\\.[0-9]+)?)\\s*ms");
    private static final Pattern STATISTICS = Pattern.compile("^---\\s.*\\sping statistics\\s---\\s*$",
            Pattern.MULTILINE);

    PingOutput {
        samplesMillis = List.copyOf(samplesMillis);
    }

    /**
     * Parses ping's standard output.
     *
     * @param stdout the text ping printed; null is treated as empty
     * @return the replies found
     */
    static PingOutput parse(String stdout) {
        String text = stdout == null ? "" : stdout;
        List<Double> samples = new ArrayList<>();
        for (String line : text.split("\\R")) {
            // "From 10.0.0.1 icmp_seq=1 Destination Host Unreachable" lines carry no time and are skipped.
            if (!line.contains("bytes from")) {
                continue;
            }
            Matcher m = REPLY_TIME.matcher(line);
            if (m.find()) {
                samples.add(Double.parseDouble(m.group(1)));
            }
        }
        return new PingOutput(samples, STATISTICS.matcher(text).find());
    }

    /**
     * Recognises ping failing for lack of privileges (no raw socket and no unprivileged ICMP allowed), which
     * would otherwise look like every node being unreachable.
     *
     * @param output what ping printed (stdout and stderr)
     * @return ping's complaint, or null if there is none
     */
    static String permissionProblem(String output) {
        if (output == null) {
            return null;
        }
        for (String line : output.split("\\R")) {
            String l = line.toLowerCase(java.util.Locale.ROOT);
            if (l.contains("operation not permitted") || l.contains("permission denied")
                    || l.contains("socket: ") && !l.contains("bytes from")) {
                return line.strip();
            }
        }
        return null;
    }

    /** @return whether at least one reply came back */
    boolean reachable() {
        return !samplesMillis.isEmpty();
    }

    /** @return the median RTT of the replies, or empty if there was none */
    OptionalDouble medianMillis() {
        return Median.of(samplesMillis);
    }
}
