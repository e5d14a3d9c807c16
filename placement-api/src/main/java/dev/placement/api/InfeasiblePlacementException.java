package dev.placement.api;

/**
 * No placement satisfies the constraints. The message says which constraint fails and by how much, for
 * example {@code the model needs 20.6 GB of weights; the largest pipeline of known links offers 14.5 GB}.
 */
public class InfeasiblePlacementException extends PlacementException {
    private static final long serialVersionUID = 1L;

    /** @param message which constraint fails and by how much */
    public InfeasiblePlacementException(String message) {
        super(message);
    }
}
