package dev.placement.core.orchestrator;

import dev.placement.api.RunningPipeline;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a health endpoint shows of a {@link PlacementOrchestrator}: returned by
 * {@link PlacementOrchestrator#health()}, which any thread may call at any time without waiting for a tick.
 *
 * <p>The status follows the state alone ({@link Status#of(OrchestratorState)}):
 * <table>
 * <caption>Status by state</caption>
 * <tr><th>state</th><th>status</th><th>why</th></tr>
 * <tr><td>{@code RUNNING}</td><td>{@code UP}</td><td>a pipeline runs and requests flow</td></tr>
 * <tr><td>{@code RECONFIGURING}</td><td>{@code DEGRADED}</td><td>the pipeline is being restarted: requests wait at
 * the gate (up to their own timeout) and flow again once it is healthy</td></tr>
 * <tr><td>{@code NOT_STARTED}</td><td>{@code DOWN}</td><td>no pipeline has been launched yet</td></tr>
 * <tr><td>{@code DEGRADED}</td><td>{@code DOWN}</td><td>nothing runs (a launch and its rollback failed, or the
 * pipeline died); {@link #degradedReason()} says why</td></tr>
 * <tr><td>{@code CLOSED}</td><td>{@code DOWN}</td><td>closed; every request is rejected</td></tr>
 * </table>
 *
 * <p>The state, the running pipeline, the degraded reason and the last decision are read as one value, so they
 * always agree with each other (RUNNING has a pipeline, DEGRADED has none and a reason). The gate is read at one
 * instant of its own: during a transition it may be a moment ahead of or behind the state (RUNNING with the gate
 * still paused for the few statements between a healthy launch and the resume, for example).
 *
 * @param status         UP, DEGRADED or DOWN, from the state
 * @param state          the orchestrator's state
 * @param running        the pipeline that runs, or {@code null} if none does
 * @param lastDecision   the last decision this orchestrator journaled, or {@code null} before its first (entries
 *                       read from an existing journal file are not its decisions)
 * @param degradedReason why nothing runs while {@link OrchestratorState#DEGRADED}, else {@code null}
 * @param gate           the request gate
 */
public record OrchestratorHealth(Status status, OrchestratorState state, Pipeline running,
        LastDecision lastDecision, String degradedReason, Gate gate) {

    /** The three levels a health endpoint reports. */
    public enum Status {
        /** Requests are served. */
        UP,
        /** Requests are held for a while (a reconfiguration) and will be served when it ends. */
        DEGRADED,
        /** Requests are not served: nothing runs. */
        DOWN;

        /**
         * The status of a state, as the table on {@link OrchestratorHealth} says.
         *
         * @param state the state; not null
         * @return its status
         */
        public static Status of(OrchestratorState state) {
            return switch (Objects.requireNonNull(state, "state")) {
                case RUNNING -> UP;
                case RECONFIGURING -> DEGRADED;
                case NOT_STARTED, DEGRADED, CLOSED -> DOWN;
            };
        }
    }

    /**
     * The pipeline that runs.
     *
     * @param id        the launcher's id for it
     * @param placement the placement it runs, as {@link dev.placement.api.Placement#toSpec()} writes it, for example
     *                  {@code node0:20,node1:20}
     * @param endpoint  the base URL of its OpenAI-compatible server
     * @param startedAt when it became healthy
     */
    public record Pipeline(String id, String placement, URI endpoint, Instant startedAt) {
        /**
         * Validates.
         *
         * @param id        the launcher's id for it; not null
         * @param placement the placement it runs, as a spec; not null
         * @param endpoint  the base URL of its server; not null
         * @param startedAt when it became healthy; not null
         */
        public Pipeline {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(startedAt, "startedAt");
        }

        static Pipeline of(RunningPipeline p) {
            return p == null ? null : new Pipeline(p.id(), p.placement().toSpec(), p.endpoint(), p.startedAt());
        }
    }

    /**
     * The last decision, as its journal entry tells it.
     *
     * @param at        when the agent was asked, by the orchestrator's clock
     * @param triggers  why it was asked
     * @param agent     the agent that decided (or failed to)
     * @param placement the placement it proposed, as a spec, or {@code null} if it found none or failed
     * @param action    what the orchestrator did with it
     * @param applied   whether the proposed placement was launched and runs
     * @param reason    why, in plain words
     */
    public record LastDecision(Instant at, Set<Trigger> triggers, String agent, String placement,
            TickOutcome.Action action, boolean applied, String reason) {
        /**
         * Validates and copies.
         *
         * @param at        when the agent was asked; not null
         * @param triggers  why it was asked; not null, no null element; copied into a sorted, unmodifiable set
         * @param agent     the agent that decided (or failed to); not null
         * @param placement the proposed placement as a spec, or {@code null} if none
         * @param action    what the orchestrator did with it; not null
         * @param applied   whether the proposed placement was launched and runs
         * @param reason    why, in plain words; not null
         */
        public LastDecision {
            Objects.requireNonNull(at, "at");
            triggers = Collections.unmodifiableSet(new TreeSet<>(triggers));
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(reason, "reason");
        }

        static LastDecision of(DecisionJournal.Entry e) {
            return e == null ? null : new LastDecision(e.at(), e.triggers(), e.agent(),
                    e.decision() == null ? null : e.decision().placement().toSpec(), e.result().action(),
                    e.result().applied(), e.result().reason());
        }
    }

    /**
     * The request gate at one instant.
     *
     * @param paused      whether new requests are held (paused, or closed)
     * @param pauseReason why, as rejections say it, or {@code null} while open
     * @param inFlight    requests holding a permit
     * @param waiting     requests waiting for the paused gate to open
     * @param admitted    requests let in since the gate was created
     * @param rejected    requests rejected since the gate was created
     * @param replicas    the pipelines it routes requests to, in the order they started serving; one while a single
     *                    pipeline runs, empty while none does
     */
    public record Gate(boolean paused, String pauseReason, int inFlight, int waiting, long admitted, long rejected,
            List<Replica> replicas) {
        /**
         * Validates and copies.
         *
         * @param paused      whether new requests are held
         * @param pauseReason why, or {@code null} while open
         * @param inFlight    requests holding a permit; 0 or more
         * @param waiting     requests waiting for the gate to open; 0 or more
         * @param admitted    requests let in since the gate was created; 0 or more
         * @param rejected    requests rejected since the gate was created; 0 or more
         * @param replicas    the pipelines it routes to; not null
         */
        public Gate {
            if (inFlight < 0 || waiting < 0 || admitted < 0 || rejected < 0) {
                throw new IllegalArgumentException("gate counts must not be negative");
            }
            replicas = List.copyOf(replicas);
        }

        /**
         * A gate that routes to no replica.
         *
         * @param paused      whether new requests are held
         * @param pauseReason why, or {@code null} while open
         * @param inFlight    requests holding a permit; 0 or more
         * @param waiting     requests waiting for the gate to open; 0 or more
         * @param admitted    requests let in since the gate was created; 0 or more
         * @param rejected    requests rejected since the gate was created; 0 or more
         */
        public Gate(boolean paused, String pauseReason, int inFlight, int waiting, long admitted, long rejected) {
            this(paused, pauseReason, inFlight, waiting, admitted, rejected, List.of());
        }
    }

    /**
     * A pipeline the gate routes requests to.
     *
     * @param id          the launcher's id for it
     * @param placement   the placement it runs, as {@link dev.placement.api.Placement#toSpec()} writes it
     * @param capacity    its predicted capacity, the weight of the routing (output tokens/s)
     * @param serving     whether it takes new requests (false while it is drained before a stop)
     * @param outstanding the requests it holds now
     */
    public record Replica(String id, String placement, double capacity, boolean serving, int outstanding) {
        /**
         * Validates.
         *
         * @param id          the launcher's id for it; not null
         * @param placement   the placement it runs; not null
         * @param capacity    its capacity; positive
         * @param serving     whether it takes new requests
         * @param outstanding the requests it holds now; 0 or more
         */
        public Replica {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(placement, "placement");
            if (!(capacity > 0) || outstanding < 0) {
                throw new IllegalArgumentException("replica " + id + ": capacity must be positive and outstanding "
                        + "not negative, were " + capacity + " and " + outstanding);
            }
        }
    }

    /**
     * Validates: the state and gate are given, and the status is the state's.
     *
     * @param status         UP, DEGRADED or DOWN; must be {@code Status.of(state)}
     * @param state          the orchestrator's state; not null
     * @param running        the pipeline that runs, or {@code null} if none does
     * @param lastDecision   the last decision this orchestrator journaled, or {@code null} before its first
     * @param degradedReason why nothing runs while {@link OrchestratorState#DEGRADED}, else {@code null}
     * @param gate           the request gate; not null
     */
    public OrchestratorHealth {
        Objects.requireNonNull(state, "state");
        if (status != Status.of(state)) {
            throw new IllegalArgumentException("status " + status + " is not the status of " + state);
        }
        Objects.requireNonNull(gate, "gate");
    }

    static OrchestratorHealth of(LoopState.View view, OrchestratorHealth.Gate gate) {
        OrchestratorState s = view.state();
        return new OrchestratorHealth(Status.of(s), s, Pipeline.of(view.running()),
                LastDecision.of(view.lastDecision()), s == OrchestratorState.DEGRADED ? view.degradedBecause() : null,
                gate);
    }

    /**
     * The same as a flat map, for a health endpoint's details (Spring Boot's {@code Health.Builder.withDetails},
     * a JSON body): {@code state}, then only what is known of {@code placement}, {@code endpoint},
     * {@code pipelineId}, {@code degradedReason}, {@code lastDecisionAt}, {@code lastDecisionTriggers},
     * {@code lastDecisionAgent}, {@code lastDecisionPlacement}, {@code lastDecisionAction},
     * {@code lastDecisionReason}, and always {@code gatePaused}, {@code gatePauseReason} (when paused),
     * {@code gateInFlight}, {@code gateWaiting}, {@code gateAdmitted}, {@code gateRejected}, and {@code replicas}
     * while the gate routes to any: a list of maps with {@code id}, {@code placement}, {@code capacity},
     * {@code serving} and {@code outstanding}. Values are strings, booleans, numbers and that list.
     *
     * @return the details, in that order; unmodifiable
     */
    public Map<String, Object> details() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", state.name());
        if (running != null) {
            d.put("placement", running.placement());
            d.put("endpoint", running.endpoint().toString());
            d.put("pipelineId", running.id());
        }
        if (degradedReason != null) {
            d.put("degradedReason", degradedReason);
        }
        if (lastDecision != null) {
            d.put("lastDecisionAt", lastDecision.at().toString());
            d.put("lastDecisionTriggers", lastDecision.triggers().toString());
            d.put("lastDecisionAgent", lastDecision.agent());
            if (lastDecision.placement() != null) {
                d.put("lastDecisionPlacement", lastDecision.placement());
            }
            d.put("lastDecisionAction", lastDecision.action().name());
            d.put("lastDecisionReason", lastDecision.reason());
        }
        d.put("gatePaused", gate.paused());
        if (gate.pauseReason() != null) {
            d.put("gatePauseReason", gate.pauseReason());
        }
        d.put("gateInFlight", gate.inFlight());
        d.put("gateWaiting", gate.waiting());
        d.put("gateAdmitted", gate.admitted());
        d.put("gateRejected", gate.rejected());
        if (!gate.replicas().isEmpty()) {
            List<Map<String, Object>> replicas = new ArrayList<>();
            for (Replica r : gate.replicas()) {
                Map<String, Object> each = new LinkedHashMap<>();
                each.put("id", r.id());
                each.put("placement", r.placement());
                each.put("capacity", r.capacity());
                each.put("serving", r.serving());
                each.put("outstanding", r.outstanding());
                replicas.add(each);
            }
            d.put("replicas", replicas);
        }
        return Collections.unmodifiableMap(d);
    }
}
