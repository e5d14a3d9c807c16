package dev.placement.cli.demo;

import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.core.orchestrator.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One decision of a journal as the journal report shows it: what was in force after it, what the planner
 * predicted for that when it decided, and what was measured for it.
 *
 * <p>The journal attaches to a decision the first metrics the metrics source measured after it (sampled
 * before the next decision of the same tick). {@link #of} joins each measurement to the decision whose
 * placement it measured: the last decision taken before it, from the one it is attached to on; it counts only
 * if it was measured on the placement in force after that decision. So a measurement never stands for a
 * placement it was not taken on.
 *
 * @param entry     the journal's entry
 * @param inForce   the placement in force after the decision, or null if nothing runs (degraded) or nothing
 *                  ran and none was launched
 * @param predicted the planner's prediction, when it decided, for {@code inForce}: the decision's own when it
 *                  was applied or kept, else the one for the running placement on the same links; or null
 * @param measured  what was measured for {@code inForce} after the decision and before the next, or null
 * @param seconds   seconds since the journal's first decision
 */
record JournalRow(DecisionJournal.Entry entry, Placement inForce, PipelineMetrics predicted,
        DecisionJournal.Entry.Measurement measured, double seconds) {

    /** Validates. */
    JournalRow {
        Objects.requireNonNull(entry, "entry");
        if (measured != null && !measured.placement().equals(inForce)) {
            throw new IllegalArgumentException("a measurement of " + measured.placement() + " is not one of "
                    + inForce);
        }
        if (!Double.isFinite(seconds)) {
            throw new IllegalArgumentException("seconds must be finite, was " + seconds);
        }
    }

    /**
     * @param entries a journal's entries, in the journal's order
     * @return one row per entry, in the same order, each with its measurement joined
     */
    static List<JournalRow> of(List<DecisionJournal.Entry> entries) {
        int n = entries.size();
        List<Placement> inForce = entries.stream().map(JournalRow::inForce).toList();
        DecisionJournal.Entry.Measurement[] measured = new DecisionJournal.Entry.Measurement[n];
        for (int k = 0; k < n; k++) {
            DecisionJournal.Entry.Measurement m = entries.get(k).measurement();
            if (m == null) {
                continue;
            }
            int j = k; // the decision it measured: the last one taken before it was measured
            while (j + 1 < n && entries.get(j + 1).at().isBefore(m.at())) {
                j++;
            }
            if (m.placement().equals(inForce.get(j)) && measured[j] == null) {
                measured[j] = m;
            }
        }
        List<JournalRow> rows = new ArrayList<>();
        Instant first = n == 0 ? null : entries.get(0).at();
        for (int i = 0; i < n; i++) {
            DecisionJournal.Entry e = entries.get(i);
            rows.add(new JournalRow(e, inForce.get(i), predicted(e), measured[i],
                    Duration.between(first, e.at()).toMillis() / 1000.0));
        }
        return rows;
    }

    /** @return the placement in force after an entry's decision, or null if nothing runs */
    static Placement inForce(DecisionJournal.Entry e) {
        return switch (e.result().action()) {
            case RECONFIGURED -> e.decision() != null ? e.decision().placement() : e.context().running();
            case DEGRADED -> null;
            default -> e.context().running(); // kept, held back, rolled back, failed, infeasible: what ran runs
        };
    }

    private static PipelineMetrics predicted(DecisionJournal.Entry e) {
        TickOutcome.Action a = e.result().action();
        if (a == TickOutcome.Action.DEGRADED) {
            return null;
        }
        boolean chosen = a == TickOutcome.Action.RECONFIGURED || a == TickOutcome.Action.KEPT;
        return chosen && e.decision() != null ? e.decision().predicted() : e.context().runningPredicted();
    }

    /** @return whether the decision restarted the pipeline: it launched one, with the time that took */
    boolean restarted() {
        return entry.result().restartSeconds() != null || entry.result().action() == TickOutcome.Action.RECONFIGURED;
    }

    /** @return the seconds the restart took, 0 if there was none */
    double restartSeconds() {
        Double s = entry.result().restartSeconds();
        return s == null ? 0 : s;
    }

    /** @return what the orchestrator did, in words: kept, skipped, reconfigured, rolled back, degraded, … */
    String action() {
        return switch (entry.result().action()) {
            case NOTHING_CHANGED -> "no change";
            case KEPT -> "kept";
            case SKIPPED -> "skipped";
            case RECONFIGURED -> "reconfigured";
            case ROLLED_BACK -> "rolled back";
            case DEGRADED -> "degraded";
            case NO_FEASIBLE_PLACEMENT -> "infeasible";
            case FAILED -> "failed";
        };
    }

    /** @return the triggers in their declared order, in words, such as {@code link changed, node left} */
    String triggers() {
        return triggerWords().isEmpty() ? "—" : String.join(", ", triggerWords());
    }

    /** @return the first trigger in few words, with {@code +1} and so on if there were more */
    String shortTriggers() {
        List<Trigger> t = entry.triggers().stream().sorted().toList();
        return t.isEmpty() ? "—" : shortWords(t.get(0)) + (t.size() > 1 ? " +" + (t.size() - 1) : "");
    }

    private static String shortWords(Trigger t) {
        return switch (t) {
            case MODEL_CALIBRATED -> "calibrated";
            case COOLDOWN_ENDED -> "cooldown";
            case WORKLOAD_CHANGED -> "workload";
            default -> words(t);
        };
    }

    private List<String> triggerWords() {
        return entry.triggers().stream().sorted().map(JournalRow::words).collect(Collectors.toList());
    }

    private static String words(Trigger t) {
        return t.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /**
     * @param span seconds from the first decision to the last
     * @return the unit the report gives times in for that span: {@code s}, {@code min} or {@code h}
     */
    static String unit(double span) {
        return span < 120 ? "s" : span < 10 * 3600 ? "min" : "h";
    }

    /**
     * @param span seconds from the first decision to the last, which chooses the unit
     * @return this decision's time since the first, such as {@code 66 min}, {@code 4.5 min} or {@code 7.1 h}
     */
    String time(double span) {
        String unit = unit(span);
        double v = unit.equals("s") ? seconds : unit.equals("min") ? seconds / 60 : seconds / 3600;
        double unitSpan = unit.equals("s") ? span : unit.equals("min") ? span / 60 : span / 3600;
        boolean tenths = unit.equals("h") || unitSpan < 20 && v != Math.rint(v);
        return String.format(Locale.ROOT, tenths ? "%.1f %s" : "%.0f %s", v, unit);
    }
}
