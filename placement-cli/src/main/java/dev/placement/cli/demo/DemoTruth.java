package dev.placement.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.InvalidInputException;
import dev.placement.core.PerformanceModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The {@code truth:} block of a demo scenario: how the simulated GPUs and links really behave, in the
 * performance model's parameter names. Each parameter given replaces the default; the planner does not see
 * it and has to learn it from what it measures.
 */
final class DemoTruth {
    private static final Map<String, BiFunction<PerformanceModel.Parameters, Double, PerformanceModel.Parameters>>
            FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("memoryBandwidthEfficiency", PerformanceModel.Parameters::withMemoryBandwidthEfficiency);
        FIELDS.put("computeEfficiency", PerformanceModel.Parameters::withComputeEfficiency);
        FIELDS.put("latencyCrossingFactor", PerformanceModel.Parameters::withLatencyCrossingFactor);
        FIELDS.put("stepOverheadMillis", PerformanceModel.Parameters::withStepOverheadMillis);
        FIELDS.put("tpotPerItl", PerformanceModel.Parameters::withTpotPerItl);
    }

    private DemoTruth() {
    }

    /**
     * @param node   the {@code truth} mapping
     * @param source the scenario's name, for messages
     * @return the defaults with the given parameters replaced
     * @throws InvalidInputException naming {@code truth.<name>} and the value of the first problem
     */
    static PerformanceModel.Parameters parse(JsonNode node, String source) {
        if (!node.isObject()) {
            throw new InvalidInputException(source, "truth", "must be a mapping of the performance model's "
                    + "parameters to values, for example {memoryBandwidthEfficiency: 0.65}; names: "
                    + String.join(", ", FIELDS.keySet()));
        }
        PerformanceModel.Parameters p = PerformanceModel.Parameters.defaults();
        var fields = node.fields();
        while (fields.hasNext()) {
            var f = fields.next();
            String path = "truth." + f.getKey();
            var with = FIELDS.get(f.getKey());
            if (with == null) {
                throw new InvalidInputException(source, path, "unknown parameter; valid parameters: "
                        + String.join(", ", FIELDS.keySet()));
            }
            if (!f.getValue().isNumber()) {
                throw new InvalidInputException(source, path, "must be a number, found " + f.getValue());
            }
            try {
                p = with.apply(p, f.getValue().asDouble());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(source, path, e.getMessage());
            }
        }
        return p;
    }
}
