package dev.placement.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.InvalidInputException;
import dev.placement.core.input.BoundedText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The calibration file: JSON with the format tag, whether the fit was adopted, the summary, the observation
 * count, both cross-validated errors (null for NaN), the prior and fitted parameters and the estimates.
 * <pre>{@code
 * {"format": "placement-calibration/1", "adopted": true, "summary": "adopted the fit over 17 observations: …",
 *  "observationCount": 17, "priorCvError": 0.21, "fitCvError": 0.06,
 *  "prior": {"memoryBandwidthEfficiency": 0.8, …, "tpotPerItl": 1.0, "gpuEfficiencies": {}},
 *  "fitted": {…, "gpuEfficiencies": {"T4": {"memoryBandwidthEfficiency": 0.61, "computeEfficiency": 0.3}}},
 *  "estimates": [{"name": "latencyCrossingFactor", "prior": 3.0, "fitted": 3.0, "lower": 1.0, "upper": 10.0,
 *                 "identified": false}, …]}
 * }</pre>
 * Every problem is an {@link InvalidInputException} naming the file, the field and the value. Stateless and
 * thread-safe.
 */
final class CalibrationFile {

    static final String FORMAT = "placement-calibration/1";
    /** A calibration file is a few KB; anything much larger is not one. */
    static final int MAX_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> TOP = Set.of("format", "adopted", "summary", "observationCount",
            "priorCvError", "fitCvError", "prior", "fitted", "estimates");
    private static final Set<String> PARAMETERS = Set.of("memoryBandwidthEfficiency", "computeEfficiency",
            "latencyCrossingFactor", "stepOverheadMillis", "reserveBytes", "maxBatchedTokens", "maxNumSeqs",
            "defaultLinkBandwidthBytesPerSecond", "tpotPerItl", "gpuEfficiencies");
    private static final Set<String> EFFICIENCY = Set.of("memoryBandwidthEfficiency", "computeEfficiency");
    private static final Set<String> ESTIMATE = Set.of("name", "prior", "fitted", "lower", "upper", "identified");

    private final String source;

    private CalibrationFile(String source) {
        this.source = source;
    }

    static void write(Calibration c, Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("adopted", c.adopted());
        root.put("summary", c.summary());
        root.put("observationCount", c.observationCount());
        putError(root, "priorCvError", c.priorCvError());
        putError(root, "fitCvError", c.fitCvError());
        root.set("prior", parameters(c.prior().parameters()));
        root.set("fitted", parameters(c.fitted().parameters()));
        ArrayNode estimates = root.putArray("estimates");
        for (Calibration.Estimate e : c.estimates()) {
            estimates.addObject().put("name", e.name()).put("prior", e.priorValue()).put("fitted", e.fittedValue())
                    .put("lower", e.lowerBound()).put("upper", e.upperBound()).put("identified", e.identified());
        }
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        Path target = file.toAbsolutePath();
        Path temp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            Files.write(temp, bytes);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void putError(ObjectNode root, String field, double v) {
        if (Double.isNaN(v)) {
            root.putNull(field);
        } else {
            root.put(field, v);
        }
    }

    private static ObjectNode parameters(PerformanceModel.Parameters p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("memoryBandwidthEfficiency", p.memoryBandwidthEfficiency());
        n.put("computeEfficiency", p.computeEfficiency());
        n.put("latencyCrossingFactor", p.latencyCrossingFactor());
        n.put("stepOverheadMillis", p.stepOverheadMillis());
        n.put("reserveBytes", p.reserveBytes());
        n.put("maxBatchedTokens", p.maxBatchedTokens());
        n.put("maxNumSeqs", p.maxNumSeqs());
        n.put("defaultLinkBandwidthBytesPerSecond", p.defaultLinkBandwidthBytesPerSecond());
        n.put("tpotPerItl", p.tpotPerItl());
        ObjectNode kinds = n.putObject("gpuEfficiencies");
        p.gpuEfficiencies().forEach((kind, e) -> kinds.putObject(kind)
                .put("memoryBandwidthEfficiency", e.memoryBandwidthEfficiency())
                .put("computeEfficiency", e.computeEfficiency()));
        return n;
    }

    static Calibration read(Path file) {
        return new CalibrationFile(file.toString()).parse(tree(file));
    }

    private static JsonNode tree(Path file) {
        String source = file.toString();
        // Read as every input file is: a device or FIFO is refused rather than read or waited on.
        String text = BoundedText.read(file, MAX_BYTES, "a calibration file is a few KB", "a JSON object");
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new InvalidInputException(source, null, "the file is empty");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new InvalidInputException(source, null, "nested too deeply or too large to be a calibration file");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            String why = e.getOriginalMessage() == null ? "malformed JSON"
                    : e.getOriginalMessage().lines().findFirst().orElse("");
            throw new InvalidInputException(source, null, "syntax error at " + where + why);
        }
    }

    private Calibration parse(JsonNode root) {
        object(root, null, TOP);
        String format = text(root, "format");
        if (!format.equals(FORMAT)) {
            throw new InvalidInputException(source, "format", "expected '" + FORMAT + "', was '" + format + "'");
        }
        boolean adopted = bool(root, "adopted");
        String summary = text(root, "summary");
        JsonNode count = required(root, "observationCount", "observationCount");
        if (!count.canConvertToInt() || !count.isIntegralNumber() || count.intValue() < 0) {
            throw new InvalidInputException(source, "observationCount", "must be a whole number >= 0, was " + count);
        }
        double priorError = error(root, "priorCvError");
        double fitError = error(root, "fitCvError");
        PerformanceModel prior = new PerformanceModel(parameters(required(root, "prior", "prior"), "prior"));
        PerformanceModel fitted = new PerformanceModel(parameters(required(root, "fitted", "fitted"), "fitted"));
        JsonNode list = required(root, "estimates", "estimates");
        if (!list.isArray()) {
            throw new InvalidInputException(source, "estimates", "must be a list, was " + list);
        }
        List<Calibration.Estimate> estimates = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            estimates.add(estimate(list.get(i), "estimates[" + i + "]"));
        }
        return new Calibration(prior, fitted, adopted, estimates, priorError, fitError, count.intValue(), summary);
    }

    private PerformanceModel.Parameters parameters(JsonNode n, String path) {
        object(n, path, PARAMETERS);
        PerformanceModel.Parameters p = PerformanceModel.Parameters.defaults();
        p = set(p, n, path, "memoryBandwidthEfficiency", (q, v) -> q.withMemoryBandwidthEfficiency(v.doubleValue()));
        p = set(p, n, path, "computeEfficiency", (q, v) -> q.withComputeEfficiency(v.doubleValue()));
        p = set(p, n, path, "latencyCrossingFactor", (q, v) -> q.withLatencyCrossingFactor(v.doubleValue()));
        p = set(p, n, path, "stepOverheadMillis", (q, v) -> q.withStepOverheadMillis(v.doubleValue()));
        p = set(p, n, path, "reserveBytes", (q, v) -> q.withReserveBytes(whole(v, path + ".reserveBytes")));
        p = set(p, n, path, "maxBatchedTokens", (q, v) -> q.withMaxBatchedTokens(
                Math.toIntExact(whole(v, path + ".maxBatchedTokens"))));
        p = set(p, n, path, "maxNumSeqs", (q, v) -> q.withMaxNumSeqs(Math.toIntExact(whole(v, path + ".maxNumSeqs"))));
        p = set(p, n, path, "defaultLinkBandwidthBytesPerSecond",
                (q, v) -> q.withDefaultLinkBandwidthBytesPerSecond(v.doubleValue()));
        p = set(p, n, path, "tpotPerItl", (q, v) -> q.withTpotPerItl(v.doubleValue()));
        JsonNode kinds = n.get("gpuEfficiencies");
        if (kinds != null && !kinds.isNull()) {
            String kindsPath = path + ".gpuEfficiencies";
            if (!kinds.isObject()) {
                throw new InvalidInputException(source, kindsPath, "must be a mapping of GPU name to efficiencies, "
                        + "was " + kinds);
            }
            for (Map.Entry<String, JsonNode> e : kinds.properties()) {
                String at = kindsPath + "." + e.getKey();
                object(e.getValue(), at, EFFICIENCY);
                double memory = number(e.getValue(), at, "memoryBandwidthEfficiency").doubleValue();
                double compute = number(e.getValue(), at, "computeEfficiency").doubleValue();
                try {
                    p = p.withGpuEfficiency(e.getKey(), new PerformanceModel.GpuEfficiency(memory, compute));
                } catch (IllegalArgumentException ex) {
                    String field = ex.getMessage().startsWith("computeEfficiency") ? "computeEfficiency"
                            : "memoryBandwidthEfficiency";
                    throw new InvalidInputException(source, at + "." + field, problem(ex, field));
                }
            }
        }
        return p;
    }

    private PerformanceModel.Parameters set(PerformanceModel.Parameters p, JsonNode n, String path, String field,
            BiFunction<PerformanceModel.Parameters, JsonNode, PerformanceModel.Parameters> with) {
        JsonNode v = number(n, path, field);
        try {
            return with.apply(p, v);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new InvalidInputException(source, path + "." + field, problem(e, field));
        }
    }

    /** The model's own message without the field name it starts with (the exception names the field already). */
    private static String problem(RuntimeException e, String field) {
        String m = String.valueOf(e.getMessage());
        return m.startsWith(field + " ") ? m.substring(field.length() + 1) : m;
    }

    private long whole(JsonNode v, String path) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new InvalidInputException(source, path, "must be a whole number, was " + v);
        }
        return v.longValue();
    }

    private Calibration.Estimate estimate(JsonNode n, String path) {
        object(n, path, ESTIMATE);
        String name = text(n, path, "name");
        double prior = number(n, path, "prior").doubleValue();
        double fitted = number(n, path, "fitted").doubleValue();
        double lower = number(n, path, "lower").doubleValue();
        double upper = number(n, path, "upper").doubleValue();
        JsonNode identified = required(n, "identified", path + ".identified");
        if (!identified.isBoolean()) {
            throw new InvalidInputException(source, path + ".identified", "must be true or false, was " + identified);
        }
        try {
            return new Calibration.Estimate(name, prior, fitted, lower, upper, identified.booleanValue());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(source, path, e.getMessage());
        }
    }

    private double error(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null) {
            throw new InvalidInputException(source, field, "missing");
        }
        if (v.isNull()) {
            return Double.NaN;
        }
        if (!v.isNumber() || !(v.doubleValue() >= 0) || Double.isInfinite(v.doubleValue())) {
            throw new InvalidInputException(source, field, "must be a number >= 0 or null, was " + v);
        }
        return v.doubleValue();
    }

    private void object(JsonNode n, String path, Set<String> fields) {
        if (!n.isObject()) {
            throw new InvalidInputException(source, path, "must be a mapping, was " + n);
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw new InvalidInputException(source, path == null ? f : path + "." + f,
                        "unknown field; expected one of " + new java.util.TreeSet<>(fields));
            }
        }
    }

    private JsonNode required(JsonNode n, String field, String path) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidInputException(source, path, "missing");
        }
        return v;
    }

    private JsonNode number(JsonNode n, String path, String field) {
        String at = path == null ? field : path + "." + field;
        JsonNode v = required(n, field, at);
        if (!v.isNumber()) {
            throw new InvalidInputException(source, at, "must be a number, was " + v);
        }
        return v;
    }

    private String text(JsonNode n, String field) {
        return text(n, null, field);
    }

    private String text(JsonNode n, String path, String field) {
        String at = path == null ? field : path + "." + field;
        JsonNode v = required(n, field, at);
        if (!v.isTextual()) {
            throw new InvalidInputException(source, at, "must be text, was " + v);
        }
        return v.asText();
    }

    private boolean bool(JsonNode n, String field) {
        JsonNode v = required(n, field, field);
        if (!v.isBoolean()) {
            throw new InvalidInputException(source, field, "must be true or false, was " + v);
        }
        return v.booleanValue();
    }
}
