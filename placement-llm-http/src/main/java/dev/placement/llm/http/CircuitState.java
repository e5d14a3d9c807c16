package dev.placement.llm.http;

/** The state of a transport's circuit breaker (see {@link CircuitBreakerSettings}). */
public enum CircuitState {
    /** Calls are sent; failures are counted. */
    CLOSED,
    /** Too many recent failures: calls are refused without being sent ({@link LlmFailure#CIRCUIT_OPEN}). */
    OPEN,
    /** The open duration passed: one trial call is let through; its outcome closes or reopens the breaker. */
    HALF_OPEN
}
