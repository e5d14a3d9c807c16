package dev.placement.api;

/**
 * The root of Placement's exceptions. Unchecked; every message is meant to be shown to a person as is.
 */
public class PlacementException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, in plain words */
    public PlacementException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, in plain words
     * @param cause   the underlying failure
     */
    public PlacementException(String message, Throwable cause) {
        super(message, cause);
    }
}
