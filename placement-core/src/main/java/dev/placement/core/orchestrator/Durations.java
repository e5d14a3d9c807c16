package dev.placement.core.orchestrator;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** How the loop writes durations in reasons and journal lines, and compares instants with them. */
final class Durations {
    private Durations() {
    }

    /** {@code "40 s"}, {@code "1.5 s"}, or {@code "5 min"} for whole minutes from two minutes on. */
    static String describe(Duration d) {
        long s = d.toSeconds();
        if (s >= 120 && s % 60 == 0) {
            return (s / 60) + " min";
        }
        return d.toMillis() % 1000 == 0 ? s + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** Whether {@code d} has passed since {@code since} by {@code now}; true when nothing happened yet. */
    static boolean elapsed(Instant since, Instant now, Duration d) {
        return since == null || !now.isBefore(since.plus(d));
    }

    static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
