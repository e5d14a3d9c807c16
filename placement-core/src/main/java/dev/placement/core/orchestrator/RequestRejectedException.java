package dev.placement.core.orchestrator;

import dev.placement.api.PlacementException;

/**
 * A request was not let through the {@link RequestGate}: the pipeline was being reconfigured (or was down)
 * for longer than the request was willing to wait, or the orchestrator was closed. The message says which
 * and how long the request waited; the caller may retry later or answer its client with "503, retry".
 */
public class RequestRejectedException extends PlacementException {
    private static final long serialVersionUID = 1L;

    /** @param message why the request was rejected, in plain words */
    public RequestRejectedException(String message) {
        super(message);
    }
}
