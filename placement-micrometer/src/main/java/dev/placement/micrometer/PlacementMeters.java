package dev.placement.micrometer;

/**
 * The names of the meters {@link PlacementMetrics} registers, following Micrometer's conventions (dot-separated
 * lower case, base units: timers in seconds as the registry renders them, gauges of latency in milliseconds as
 * their base unit says). Tag values are lower case. {@code docs/OBSERVABILITY.md} lists each with its tags.
 */
public final class PlacementMeters {
    /** Counter: ticks, tagged {@code action} (what the tick did: {@code nothing_changed}, {@code kept}, ...). */
    public static final String TICKS = "placement.ticks";
    /** Counter: journaled decisions, tagged {@code agent}, {@code trigger} (the first one) and {@code outcome}. */
    public static final String DECISIONS = "placement.decisions";
    /** Counter: decisions whose LLM proposal was not applied, tagged {@code agent} and {@code cause}. */
    public static final String LLM_FALLBACKS = "placement.llm.fallbacks";
    /** Counter: switchovers by how they ended, tagged {@code outcome}. */
    public static final String RECONFIGURATIONS = "placement.reconfigurations";
    /** Timer: a switchover from its start to its end by the orchestrator's clock, tagged {@code outcome}. */
    public static final String RECONFIGURATION_DURATION = "placement.reconfiguration.duration";
    /** Timer: how long a successful reconfiguration held requests (stop, launch, healthy). */
    public static final String RESTART = "placement.restart";
    /** Counter: calibrations of the loop's model, tagged {@code adopted}. */
    public static final String CALIBRATIONS = "placement.calibrations";
    /** Gauge: 1 for the orchestrator's state now and 0 for the others, tagged {@code state}. */
    public static final String STATE = "placement.state";
    /** Gauge: the running pipeline's inter-token latency in ms, tagged {@code source} (predicted, measured). */
    public static final String PIPELINE_ITL = "placement.pipeline.itl";
    /** Gauge: the running pipeline's time to first token in ms, tagged {@code source} (predicted, measured). */
    public static final String PIPELINE_TTFT = "placement.pipeline.ttft";
    /** Timer: how long requests waited at the gate, tagged {@code outcome} (admitted, rejected). */
    public static final String GATE_WAIT = "placement.gate.wait";
    /** Function counter: requests through the gate since it was created, tagged {@code outcome}. */
    public static final String GATE_REQUESTS = "placement.gate.requests";
    /** Gauge: requests holding a permit. */
    public static final String GATE_IN_FLIGHT = "placement.gate.in.flight";
    /** Gauge: requests waiting at the paused gate. */
    public static final String GATE_WAITING = "placement.gate.waiting";
    /** Gauge: 1 while the gate holds new requests, else 0. */
    public static final String GATE_PAUSED = "placement.gate.paused";

    /** Timer: LLM calls, retries included, tagged {@code provider}, {@code model}, {@code outcome}, {@code failure}. */
    public static final String LLM_CALLS = "placement.llm.calls";
    /** Counter: LLM attempts sent, tagged {@code provider}, {@code model}. */
    public static final String LLM_ATTEMPTS = "placement.llm.attempts";
    /** Counter: LLM retries, tagged {@code provider}, {@code model}, {@code failure} (why the attempt failed). */
    public static final String LLM_RETRIES = "placement.llm.retries";
    /** Counter: tokens the providers reported, tagged {@code provider}, {@code model}, {@code type}. */
    public static final String LLM_TOKENS = "placement.llm.tokens";
    /** Counter: LLM calls the open circuit breaker refused, tagged {@code provider}, {@code model}. */
    public static final String LLM_CIRCUIT_REJECTIONS = "placement.llm.circuit.rejections";
    /** Counter: circuit-breaker state changes, tagged {@code provider}, {@code model}, {@code from}, {@code to}. */
    public static final String LLM_CIRCUIT_TRANSITIONS = "placement.llm.circuit.transitions";
    /**
     * Gauge: 1 for the circuit breaker's state now and 0 for the others, tagged {@code provider}, {@code model},
     * {@code state}.
     */
    public static final String LLM_CIRCUIT_STATE = "placement.llm.circuit.state";

    private PlacementMeters() {
    }
}
