package dev.placement.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/** Reads a scenario file's fields, each problem naming the file, the field and the value. */
final class ScenarioFields {
    private ScenarioFields() {
    }

    static void rejectUnknown(JsonNode obj, String prefix, Set<String> allowed, String source) {
        obj.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                throw new InvalidInputException(source, prefix + name, "unknown field; valid fields here: "
                        + String.join(", ", new TreeSet<>(allowed)));
            }
        });
    }

    static String text(JsonNode obj, String field, String source) {
        return text(obj, field, source, field);
    }

    static String text(JsonNode obj, String field, String source, String path) {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidInputException(source, path, "missing");
        }
        if (!v.isValueNode() || v.asText().isBlank()) {
            throw new InvalidInputException(source, path, "must be non-empty text, found " + v);
        }
        return v.asText();
    }

    static double number(JsonNode obj, String field, String source) {
        JsonNode v = obj.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new InvalidInputException(source, field, "must be a number, found " + v);
        }
        return v.asDouble();
    }

    static double nonNegative(JsonNode obj, String field, String source) {
        double v = number(obj, field, source);
        if (v < 0) {
            throw new InvalidInputException(source, field, "must be >= 0, was " + obj.get(field));
        }
        return v;
    }

    static int wholePositive(JsonNode obj, String field, String prefix, int fallback, String source) {
        if (!obj.has(field)) {
            return fallback;
        }
        JsonNode v = obj.get(field);
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > Integer.MAX_VALUE) {
            throw new InvalidInputException(source, prefix + field, "must be a positive whole number, found " + v);
        }
        return v.asInt();
    }

    static Duration minutes(JsonNode root, String field, double fallback, String source) {
        return duration(root, field, fallback, 60_000, "minutes", source);
    }

    static Duration seconds(JsonNode root, String field, double fallback, String source) {
        return duration(root, field, fallback, 1000, "seconds", source);
    }

    /** Reads a duration given in a unit, in exact bounds checked before it is converted. */
    static Duration duration(JsonNode root, String field, double fallback, long unitMillis, String unit,
            String source) {
        double v = root.has(field) ? number(root, field, source) : fallback;
        double millis = v * unitMillis;
        if (!(millis >= DemoScenario.MIN_DURATION.toMillis() && millis <= DemoScenario.MAX_DURATION.toMillis())) {
            throw new InvalidInputException(source, field, "must be a number of " + unit + " from "
                    + trim((double) DemoScenario.MIN_DURATION.toMillis() / unitMillis) + " to "
                    + trim((double) DemoScenario.MAX_DURATION.toMillis() / unitMillis) + ", was "
                    + root.path(field).asText(String.valueOf(v)));
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /** @return a bound as a person writes it: 1, 0.01667, 10080 */
    static String trim(double v) {
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
