package dev.placement.api;

import java.util.Objects;
import java.util.regex.Pattern;

/** Validation shared by the records of this package; every message names the field and the value. */
final class Checks {
    /** What a node id may look like; also what keeps ids safe to pass to a shell or an environment variable. */
    static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Checks() {
    }

    static <T> T notNull(T value, String field) {
        return Objects.requireNonNull(value, () -> field + " must not be null");
    }

    static String notBlank(String value, String field) {
        notNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        return value;
    }

    static String nodeId(String value, String field) {
        notNull(value, field);
        if (!NODE_ID.matcher(value).matches()) {
            throw new IllegalArgumentException(field + " '" + value
                    + "' is not a valid node id: use 1 to 64 of the characters A-Z a-z 0-9 . _ -");
        }
        return value;
    }

    static long positive(long value, String field) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
        return value;
    }

    static int positive(int value, String field) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
        return value;
    }

    static int nonNegative(int value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " must not be negative, was " + value);
        }
        return value;
    }

    static double positive(double value, String field) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be a positive finite number, was " + value);
        }
        return value;
    }

    static double nonNegative(double value, String field) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0, was " + value);
        }
        return value;
    }
}
