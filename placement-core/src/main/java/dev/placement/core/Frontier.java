package dev.placement.core;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trade-off frontier of a request: the placements no other eligible placement beats on all of TTFT, ITL
 * and output throughput at once, found with the exact solver. Anchors are the best placement for each goal and
 * the objective's own choice; between the best-ITL and best-TTFT anchors, the solver is asked for the best TTFT
 * under a sweep of ITL bounds and the best ITL under a sweep of TTFT bounds (the ε-constraint method), so every
 * point is optimal for some bound. Dominated points are dropped, and when more than {@code max} remain, the
 * anchors are kept and the rest chosen to spread along the frontier (farthest first, in log-metric space).
 * Every placement obeys the request's bounds and serves its load, as the solver's answers do; the objective's
 * choice is always listed. Stateless.
 */
final class Frontier {
    /** Bounds tried between the anchors, per sweep. */
    private static final int SWEEP = 6;

    private Frontier() {
    }

    /** The frontier of a request, at most {@code max} points; see the class description. */
    static List<PlacementSolver.FrontierPoint> of(PlacementSolver solver, PlacementRequest request, int max) {
        Objective o = request.objective();
        Prediction chosen = solver.solve(request).best();
        Map<Placement, Prediction> found = new LinkedHashMap<>();
        found.put(chosen.placement(), chosen);
        Prediction bestTtft = anchor(solver, request, Objective.Goal.TTFT, chosen, found);
        Prediction bestItl = anchor(solver, request, Objective.Goal.ITL, chosen, found);
        anchor(solver, request, Objective.Goal.THROUGHPUT, chosen, found);
        anchor(solver, request, Objective.Goal.BALANCED, chosen, found);
        List<Placement> anchors = new ArrayList<>(found.keySet());
        if (bestTtft != null && bestItl != null) {
            double itlLo = bestItl.metrics().itlMillis();
            double itlHi = bestTtft.metrics().itlMillis();
            double ttftLo = bestTtft.metrics().ttftMillis();
            double ttftHi = bestItl.metrics().ttftMillis();
            for (int j = 1; j <= SWEEP; j++) {
                double f = j / (SWEEP + 1.0);
                double itlBound = Math.min(bound(o.maxItlMillis()), itlLo + (itlHi - itlLo) * f);
                double ttftBound = Math.min(bound(o.maxTtftMillis()), ttftLo + (ttftHi - ttftLo) * f);
                if (itlBound > 0 && itlHi > itlLo) {
                    solve(solver, request, o.withGoal(Objective.Goal.TTFT).withMaxItlMillis(itlBound), found);
                }
                if (ttftBound > 0 && ttftHi > ttftLo) {
                    solve(solver, request, o.withGoal(Objective.Goal.ITL).withMaxTtftMillis(ttftBound), found);
                }
            }
        }
        List<Prediction> front = nonDominated(new ArrayList<>(found.values()));
        if (!front.contains(chosen)) {
            front.add(chosen); // a goodput choice can be dominated on the three means; it is still the answer
        }
        List<Prediction> kept = spread(front, anchors, chosen, max);
        kept.sort(Comparator.comparingDouble((Prediction p) -> p.metrics().ttftMillis())
                .thenComparingDouble(p -> p.metrics().itlMillis()));
        List<PlacementSolver.FrontierPoint> out = new ArrayList<>();
        for (Prediction p : kept) {
            boolean isChosen = p.placement().equals(chosen.placement());
            out.add(new PlacementSolver.FrontierPoint(p, isChosen,
                    isChosen ? "the " + o.goal().cliName() + " choice" : trade(p, chosen, o.goal())));
        }
        return out;
    }

    private static double bound(Double b) {
        return b == null ? Double.POSITIVE_INFINITY : b;
    }

    /** The best placement for one goal under the request's bounds: the choice itself when that is its goal. */
    private static Prediction anchor(PlacementSolver solver, PlacementRequest request, Objective.Goal goal,
            Prediction chosen, Map<Placement, Prediction> found) {
        return goal == request.objective().goal() ? chosen
                : solve(solver, request, request.objective().withGoal(goal), found);
    }

    private static Prediction solve(PlacementSolver solver, PlacementRequest request, Objective objective,
            Map<Placement, Prediction> found) {
        try {
            Prediction p = solver.solve(request.toBuilder().objective(objective).build()).best();
            found.putIfAbsent(p.placement(), p);
            return p;
        } catch (InfeasiblePlacementException e) {
            return null; // nothing meets this bound: the sweep goes on
        }
    }

    /** Whether a is at least as good as b on every metric and better on one. */
    static boolean dominates(PipelineMetrics a, PipelineMetrics b) {
        double eps = 1e-9;
        boolean noWorse = a.ttftMillis() <= b.ttftMillis() * (1 + eps) && a.itlMillis() <= b.itlMillis() * (1 + eps)
                && a.outputTokensPerSecond() >= b.outputTokensPerSecond() * (1 - eps);
        boolean better = a.ttftMillis() < b.ttftMillis() * (1 - eps) || a.itlMillis() < b.itlMillis() * (1 - eps)
                || a.outputTokensPerSecond() > b.outputTokensPerSecond() * (1 + eps);
        return noWorse && better;
    }

    private static List<Prediction> nonDominated(List<Prediction> all) {
        List<Prediction> out = new ArrayList<>();
        for (Prediction p : all) {
            boolean dominated = false;
            for (Prediction q : all) {
                if (q != p && dominates(q.metrics(), p.metrics())) {
                    dominated = true;
                    break;
                }
            }
            if (!dominated) {
                out.add(p);
            }
        }
        return out;
    }

    /** At most {@code max} points: the chosen one and the anchors first, then the farthest from those kept. */
    private static List<Prediction> spread(List<Prediction> front, List<Placement> anchors, Prediction chosen,
            int max) {
        List<Prediction> kept = new ArrayList<>();
        List<Prediction> rest = new ArrayList<>();
        for (Prediction p : front) {
            if (p.placement().equals(chosen.placement())) {
                kept.add(0, p);
            } else if (anchors.contains(p.placement())) {
                kept.add(p);
            } else {
                rest.add(p);
            }
        }
        while (kept.size() > max) {
            kept.remove(kept.size() - 1);
        }
        while (kept.size() < max && !rest.isEmpty()) {
            Prediction far = null;
            double farthest = -1;
            for (Prediction p : rest) {
                double d = Double.POSITIVE_INFINITY;
                for (Prediction k : kept) {
                    d = Math.min(d, distance(p.metrics(), k.metrics()));
                }
                if (d > farthest) {
                    farthest = d;
                    far = p;
                }
            }
            kept.add(far);
            rest.remove(far);
        }
        return kept;
    }

    private static double distance(PipelineMetrics a, PipelineMetrics b) {
        double t = Math.log(a.ttftMillis() / b.ttftMillis());
        double i = Math.log(a.itlMillis() / b.itlMillis());
        double r = Math.log(a.outputTokensPerSecond() / b.outputTokensPerSecond());
        return Math.sqrt(t * t + i * i + r * r);
    }

    /** One line on what a point trades against the objective's choice: what it gains, for what it costs. */
    static String trade(Prediction p, Prediction chosen, Objective.Goal goal) {
        PipelineMetrics a = p.metrics();
        PipelineMetrics c = chosen.metrics();
        List<String> gains = new ArrayList<>();
        List<String> costs = new ArrayList<>();
        change(a.ttftMillis(), c.ttftMillis(), "TTFT", true, gains, costs);
        change(a.itlMillis(), c.itlMillis(), "ITL", true, gains, costs);
        change(a.outputTokensPerSecond(), c.outputTokensPerSecond(), "throughput", false, gains, costs);
        String against = "than " + chosen.placement().toSpec() + " (the " + goal.cliName() + " choice)";
        if (gains.isEmpty()) {
            return "no better on any metric " + against;
        }
        return String.join(" and ", gains) + (costs.isEmpty() ? "" : " for " + String.join(" and ", costs))
                + " " + against;
    }

    private static void change(double value, double reference, String name, boolean lowerIsBetter,
            List<String> gains, List<String> costs) {
        double rel = value / reference - 1;
        if (Math.abs(rel) < 0.0005) {
            return;
        }
        boolean higher = rel > 0;
        String words = String.format(Locale.ROOT, "%.1f%% %s %s", Math.abs(rel) * 100,
                higher ? "higher" : "lower", name);
        if (higher != lowerIsBetter) {
            gains.add(words);
        } else {
            costs.add(words);
        }
    }
}
