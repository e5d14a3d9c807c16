package dev.placement.cli;

import dev.placement.api.ConnectivityMap;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.core.orchestrator.DecisionJournal;
import dev.placement.core.orchestrator.OrchestratorEvent;
import dev.placement.core.orchestrator.TickOutcome;
import dev.placement.core.orchestrator.Trigger;
import java.io.PrintWriter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * What {@code placement run} prints: one line per journaled decision on stdout (when, why asked, what was done,
 * the placement with the measured RTT of each link it crosses, the predicted ITL and TTFT, and the agent's
 * reason), and a line per failed tick on stderr. Called on the ticking thread.
 */
final class RunLines implements Consumer<OrchestratorEvent> {
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean dryRun;

    /**
     * @param out    where decisions go
     * @param err    where failures go
     * @param dryRun whether launches are only pretended (the lines then say "would")
     */
    RunLines(PrintWriter out, PrintWriter err, boolean dryRun) {
        this.out = out;
        this.err = err;
        this.dryRun = dryRun;
    }

    @Override
    public void accept(OrchestratorEvent event) {
        if (event instanceof OrchestratorEvent.DecisionRecorded d) {
            out.println(line(d.entry(), dryRun));
            out.flush();
        } else if (event instanceof OrchestratorEvent.TickFailed f) {
            err.println("placement run: tick failed: " + f.error());
            err.flush();
        }
    }

    /**
     * @param entry  a journaled decision
     * @param dryRun whether launches are only pretended
     * @return its line, for example
     *         {@code 2026-12-03T13:40:10Z link_changed: reconfigured node0:20,node1:20 (node0-node1 2.2 ms)
     *         predicted ITL 97.2 ms, TTFT 1094 ms; node0:20,node1:20 (2 of 3 nodes ...) ... [what the loop did]}
     */
    static String line(DecisionJournal.Entry entry, boolean dryRun) {
        StringJoiner why = new StringJoiner(",");
        entry.triggers().stream().sorted().map(Trigger::name).map(t -> t.toLowerCase(Locale.ROOT)).forEach(why::add);
        StringBuilder b = new StringBuilder().append(entry.at().truncatedTo(ChronoUnit.MILLIS)).append(' ')
                .append(why).append(": ")
                .append(action(entry.result().action(), dryRun));
        PlacementDecision decision = entry.decision();
        if (decision != null) {
            b.append(' ').append(decision.placement().toSpec());
            String links = links(decision.placement(), entry.context().connectivity());
            if (!links.isEmpty()) {
                b.append(" (").append(links).append(')');
            }
            if (decision.predicted() != null) {
                b.append(String.format(Locale.ROOT, " predicted ITL %.1f ms, TTFT %.0f ms",
                        decision.predicted().itlMillis(), decision.predicted().ttftMillis()));
            }
        }
        if (decision != null) {
            b.append("; ").append(decision.rationale());
        }
        // What the loop did about it; a dry run's pretended launch has nothing to say.
        String reason = entry.result().reason();
        boolean pretended = dryRun && entry.result().action() == TickOutcome.Action.RECONFIGURED;
        if (reason != null && !reason.isBlank() && !pretended) {
            b.append(" [").append(reason).append(']');
        }
        return b.toString();
    }

    private static String action(TickOutcome.Action action, boolean dryRun) {
        String name = action.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        if (!dryRun) {
            return name;
        }
        return switch (action) {
            case RECONFIGURED -> "would reconfigure to";
            case KEPT -> "would keep";
            default -> name;
        };
    }

    /** The measured RTT of each link the placement's chain crosses, in pipeline order. */
    private static String links(Placement placement, ConnectivityMap links) {
        List<String> nodes = placement.nodeIds();
        StringJoiner j = new StringJoiner(", ");
        for (int i = 0; i + 1 < nodes.size(); i++) {
            OptionalDouble rtt = links.rttMillis(nodes.get(i), nodes.get(i + 1));
            j.add(nodes.get(i) + "-" + nodes.get(i + 1) + " "
                    + (rtt.isPresent() ? String.format(Locale.ROOT, "%.1f ms", rtt.getAsDouble()) : "unknown"));
        }
        return j.toString();
    }
}
