package dev.placement.core.llm;

import dev.placement.api.AgentProposal;
import dev.placement.api.LlmException;
import dev.placement.api.Placement;
import dev.placement.api.PlacementAgent;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementRequest;
import dev.placement.core.ObjectiveScore;
import dev.placement.core.PlacementSolver;
import dev.placement.core.Prediction;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An LLM agent guarded by the exact solver, so that an invalid or clearly worse LLM answer never reaches the
 * cluster. In every {@link Mode} the solver runs too; the LLM's failures (provider errors, timeouts, invalid
 * answers after the repair rounds) fall back to the solver's placement. The decision's
 * {@link AgentProposal} records the provider, the model, the proposal (or {@code null}), whether it was
 * applied and why. A decision of this agent never holds an invalid placement: the LLM agent checks every
 * answer against the request and the performance model, and its decision carries the prediction the guard
 * compares with the solver's.
 *
 * <p>Immutable and thread-safe when the wrapped agent is.
 */
public final class GuardedPlacementAgent implements PlacementAgent {

    /** The default margin of {@link Mode#VERIFY}: the LLM's answer may be predicted up to 5% worse. */
    public static final double DEFAULT_MARGIN = 0.05;
    private static final int MAX_REASON_CHARS = 600;
    private static final Logger LOG = LoggerFactory.getLogger(GuardedPlacementAgent.class);

    /** How far the LLM is trusted. */
    public enum Mode {
        /** Apply any valid LLM answer. */
        TRUST,
        /** Apply a valid LLM answer only if its predicted objective is within the margin of the solver's best. */
        VERIFY,
        /** Record the LLM's answer, apply the solver's. */
        ADVISE;

        /**
         * Reads the CLI spelling {@code trust}, {@code verify} or {@code advise}.
         *
         * @param text the spelling, case-insensitive
         * @return the mode
         * @throws IllegalArgumentException listing the valid spellings
         */
        public static Mode parse(String text) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown guard '" + text + "'; valid guards: trust, verify, advise");
        }
    }

    private final LlmPlacementAgent llm;
    private final Supplier<PlacementSolver> solver;
    private final Mode mode;
    private final double margin;
    private final Duration timeout;

    private GuardedPlacementAgent(Builder b) {
        this.llm = b.llm;
        PlacementSolver given = b.solver;
        // Without a solver of its own the guard judges with the model the LLM agent decides with now.
        this.solver = given != null ? () -> given : () -> new PlacementSolver(llm.performanceModel());
        this.mode = b.mode;
        this.margin = b.margin;
        this.timeout = b.timeout;
    }

    /**
     * Starts a builder.
     *
     * @param llm the LLM agent to guard; its performance model also judges its answers
     * @return a builder with the defaults documented on its methods
     */
    public static Builder builder(LlmPlacementAgent llm) {
        return new Builder(llm);
    }

    /** @return the LLM's provider followed by {@code "+solver"}, for example {@code "openai+solver"} */
    @Override
    public String name() {
        return llm.name() + "+solver";
    }

    /** @return the guard's mode */
    public Mode mode() {
        return mode;
    }

    /**
     * Asks the solver and the LLM, and applies the LLM's answer as the mode allows.
     *
     * @param request the model, cluster, links, objective and workload
     * @return a decision with a valid placement; its agent is the LLM's provider when the LLM's answer is
     *         applied and {@code "solver"} otherwise; its proposal says what the LLM proposed and why it was
     *         or was not applied
     * @throws dev.placement.api.InfeasiblePlacementException if the solver finds no feasible placement (then
     *                                                        no answer could be valid)
     */
    @Override
    public PlacementDecision decide(PlacementRequest request) {
        Objects.requireNonNull(request, "request");
        PlacementSolver planner = solver.get();
        PlacementSolver.Solution solution = planner.solve(request);
        Prediction best = solution.best();
        PlacementDecision proposed;
        try {
            proposed = askLlm(request);
        } catch (InvalidLlmAnswerException e) {
            return fallback(solution, null, e.model() != null ? e.model() : llm.model(),
                    "the LLM's answer was invalid: " + e.getMessage());
        } catch (LlmException e) {
            return fallback(solution, null, llm.model(), "the LLM failed"
                    + (e.httpStatus() > 0 ? " (HTTP " + e.httpStatus() + ")" : "") + ": " + e.getMessage());
        } catch (TimeoutException e) {
            return fallback(solution, null, llm.model(), "the LLM did not answer within "
                    + timeout.toMillis() + " ms");
        } catch (RuntimeException e) {
            LOG.warn("the {} agent failed unexpectedly; falling back to the solver", llm.name(), e);
            return fallback(solution, null, llm.model(), "the LLM agent failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        String model = proposed.proposal() != null && proposed.proposal().model() != null
                ? proposed.proposal().model() : llm.model();
        Placement placement = proposed.placement();
        Prediction llmPrediction = planner.model().predict(placement, request);
        double regret = ObjectiveScore.regret(request.objective(), llmPrediction, best);
        String comparison = compare(llmPrediction, regret, best);
        boolean accepted = switch (mode) {
            case TRUST -> true;
            case VERIFY -> regret <= margin;
            case ADVISE -> false;
        };
        String reason = switch (mode) {
            case TRUST -> "trust: the LLM's valid answer is applied; " + comparison;
            case VERIFY -> accepted
                    ? "verify: applied, " + comparison + ", within the " + percent(margin) + " margin"
                    : "verify: rejected, " + comparison + ", outside the " + percent(margin)
                            + " margin; the solver's placement is applied";
            case ADVISE -> "advise: recorded only, " + comparison + "; the solver's placement is applied";
        };
        AgentProposal proposal = new AgentProposal(llm.provider(), model, placement, accepted, clip(reason));
        if (accepted) {
            return new PlacementDecision(placement, llm.provider(), proposed.rationale(), proposed.predicted(),
                    proposal);
        }
        return new PlacementDecision(best.placement(), "solver", solverRationale(solution), best.metrics(),
                proposal);
    }

    private PlacementDecision askLlm(PlacementRequest request) throws TimeoutException {
        if (timeout == null) {
            return llm.decide(request);
        }
        FutureTask<PlacementDecision> task = new FutureTask<>(() -> llm.decide(request));
        Thread thread = new Thread(task, "placement-llm-" + llm.name());
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw e;
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new LlmException("interrupted while waiting for the LLM", false, null, 0, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new LlmException("the LLM agent failed: " + cause, false, null, 0, cause);
        }
    }

    private PlacementDecision fallback(PlacementSolver.Solution solution, Placement proposal, String model,
            String why) {
        LOG.info("{}: falling back to the solver: {}", llm.name(), why);
        Prediction best = solution.best();
        return new PlacementDecision(best.placement(), "solver", solverRationale(solution), best.metrics(),
                new AgentProposal(llm.provider(), model, proposal, false,
                        clip(why + "; fell back to the solver's placement")));
    }

    private static String solverRationale(PlacementSolver.Solution solution) {
        String e = solution.explanation();
        return e == null || e.isBlank() ? "the solver's best placement under the performance model" : e;
    }

    /** (llm − best) / |best|: how much worse the LLM's score is, as a fraction of the best (lower is better). */
    /** The comparison in words, with the regret's sign and the reason when the LLM's placement is not eligible. */
    private static String compare(Prediction llm, double regret, Prediction best) {
        String what = "the LLM's " + llm.placement().toSpec();
        if (regret == Double.POSITIVE_INFINITY) {
            if (llm.fits() && llm.servedSequences() < best.servedSequences()) {
                return what + " runs only " + llm.servedSequences() + " requests at once where the solver's best "
                        + best.placement().toSpec() + " runs " + best.servedSequences()
                        + ", so it does not serve the load";
            }
            return what + " breaks a bound of the objective";
        }
        if (llm.placement().equals(best.placement()) || regret == 0) {
            return what + " is predicted as good as the solver's best " + best.placement().toSpec();
        }
        return what + " is predicted " + (Double.isInfinite(regret) ? "far" : percent(Math.abs(regret)))
                + (regret > 0 ? " worse" : " better") + " than the solver's best " + best.placement().toSpec();
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    private static String clip(String s) {
        return s.length() <= MAX_REASON_CHARS ? s : s.substring(0, MAX_REASON_CHARS) + "...";
    }

    @Override
    public String toString() {
        return "GuardedPlacementAgent[" + llm + ", mode=" + mode + ", margin=" + margin + "]";
    }

    /** Configures a {@link GuardedPlacementAgent}; not thread-safe. */
    public static final class Builder {
        private final LlmPlacementAgent llm;
        private PlacementSolver solver;
        private Mode mode = Mode.VERIFY;
        private double margin = DEFAULT_MARGIN;
        private Duration timeout;

        private Builder(LlmPlacementAgent llm) {
            this.llm = Objects.requireNonNull(llm, "llm must not be null");
        }

        /**
         * @param mode how far the LLM is trusted; default {@link Mode#VERIFY}
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode must not be null");
            return this;
        }

        /**
         * @param fraction how much worse than the solver's best the LLM's predicted objective score may be in
         *                 {@link Mode#VERIFY}, as a fraction (0.05 = 5%); default
         *                 {@value GuardedPlacementAgent#DEFAULT_MARGIN}; &ge; 0
         * @return this builder
         * @throws IllegalArgumentException if negative or not finite
         */
        public Builder margin(double fraction) {
            if (!(fraction >= 0) || Double.isInfinite(fraction)) {
                throw new IllegalArgumentException("margin must be a finite fraction >= 0, was " + fraction);
            }
            this.margin = fraction;
            return this;
        }

        /**
         * @param solver the solver to compare with and fall back to; default a solver on the LLM agent's
         *               performance model
         * @return this builder
         */
        public Builder solver(PlacementSolver solver) {
            this.solver = Objects.requireNonNull(solver, "solver must not be null");
            return this;
        }

        /**
         * @param timeout how long to wait for the LLM (all repair rounds together) before falling back, or
         *                {@code null} to rely on the provider's own timeouts (the default); positive
         * @return this builder
         * @throws IllegalArgumentException if zero or negative
         */
        public Builder timeout(Duration timeout) {
            if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** @return the guarded agent */
        public GuardedPlacementAgent build() {
            return new GuardedPlacementAgent(this);
        }
    }
}
