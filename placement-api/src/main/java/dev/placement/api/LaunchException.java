package dev.placement.api;

/** A pipeline could not be started, stopped or made healthy; the message says why, with log excerpts. */
public class LaunchException extends PlacementException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed and why */
    public LaunchException(String message) {
        super(message);
    }

    /**
     * @param message what failed and why
     * @param cause   the underlying failure
     */
    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
