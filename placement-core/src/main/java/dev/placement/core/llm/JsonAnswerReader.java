package dev.placement.core.llm;

import static dev.placement.core.llm.AnswerParser.clip;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the JSON object the schema asks for ({@code {"nodes_used": [...], "layers_per_node": [...],
 * "rationale": "..."}}, or a {@code stages} list or map), plain, inside {@code ```} fences or among prose.
 *
 * <p>It tries each balanced {@code {...}} in the text, at most {@value #MAX_JSON_CANDIDATES}, and reads the first
 * that parses and has placement fields; braces in prose ("{compute}") are skipped that way. Stateless and
 * thread-safe.
 */
final class JsonAnswerReader {

    /** How many balanced {@code {...}} candidates are tried, so that an answer full of braces stays cheap. */
    static final int MAX_JSON_CANDIDATES = 32;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES, JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final List<String> NODE_FIELDS = List.of("nodes_used", "nodesUsed", "nodes", "node_order",
            "pipeline", "used_nodes");
    private static final List<String> LAYER_FIELDS = List.of("layers_per_node", "layersPerNode", "layer_counts",
            "layerCounts", "layers", "layer_partition", "layerPartition", "partition");
    private static final List<String> STAGE_FIELDS = List.of("stages", "assignment", "assignments", "placement",
            "layer_assignment");
    private static final List<String> RATIONALE_FIELDS = List.of("rationale", "reason", "reasoning",
            "explanation");

    private JsonAnswerReader() {
    }

    /**
     * Reads the first JSON object in {@code text} that has placement fields.
     *
     * @param text the answer, already cut to {@link AnswerParser#MAX_ANSWER_CHARS}
     * @return what that object says, with its problems; {@code null} if there is no such object, so that the
     *         text is read as free text instead
     */
    static ParsedAnswer read(String text) {
        int tried = 0;
        for (int start = text.indexOf('{'); start >= 0 && tried < MAX_JSON_CANDIDATES;
                start = text.indexOf('{', start + 1)) {
            int end = matchingBrace(text, start);
            if (end < 0) {
                continue;
            }
            tried++;
            JsonNode node;
            try {
                node = JSON.readTree(text.substring(start, end + 1));
            } catch (java.io.IOException | RuntimeException e) {
                continue;
            }
            if (node != null && node.isObject() && hasPlacementFields(node)) {
                return fromJsonObject(node);
            }
        }
        return null;
    }

    /** Finds the brace that closes the one at {@code start}, skipping strings; -1 if unbalanced. */
    private static int matchingBrace(String text, int start) {
        int depth = 0;
        boolean inString = false;
        char quote = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    inString = false;
                }
            } else if (c == '"' || c == '\'') {
                // A single quote inside prose-like keys is rare; treat it as a string only right after { , : [
                if (c == '"' || precededByJsonPunctuation(text, i)) {
                    inString = true;
                    quote = c;
                }
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static boolean precededByJsonPunctuation(String text, int i) {
        for (int j = i - 1; j >= 0; j--) {
            char p = text.charAt(j);
            if (!Character.isWhitespace(p)) {
                return p == '{' || p == ',' || p == ':' || p == '[';
            }
        }
        return false;
    }

    private static boolean hasPlacementFields(JsonNode node) {
        return field(node, NODE_FIELDS) != null || field(node, LAYER_FIELDS) != null
                || field(node, STAGE_FIELDS) != null;
    }

    private static JsonNode field(JsonNode node, List<String> names) {
        for (String name : names) {
            JsonNode v = node.get(name);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static ParsedAnswer fromJsonObject(JsonNode obj) {
        List<String> problems = new ArrayList<>();
        String rationale = text(field(obj, RATIONALE_FIELDS));
        JsonNode stages = field(obj, STAGE_FIELDS);
        JsonNode nodes = field(obj, NODE_FIELDS);
        JsonNode layers = field(obj, LAYER_FIELDS);
        List<ParsedAnswer.Entry> entries = new ArrayList<>();
        List<String> declared = null;
        Integer declaredCount = null;

        if (stages != null && (stages.isArray() || stages.isObject())) {
            readStages(stages, entries, problems);
        } else {
            if (nodes != null && nodes.isIntegralNumber()) {
                declaredCount = nodes.intValue();
                nodes = null;
            }
            if (nodes != null && nodes.isTextual()) {
                nodes = splitToArray(nodes.asText());
            }
            if (layers != null && layers.isTextual()) {
                layers = splitToArray(layers.asText());
            }
            if (nodes != null && !nodes.isArray()) {
                problems.add("field nodes_used must be an array of node ids, was " + kind(nodes));
                nodes = null;
            }
            if (layers == null) {
                problems.add("the answer has no layers_per_node");
            } else if (!layers.isArray()) {
                problems.add("field layers_per_node must be an array of whole numbers, was " + kind(layers));
            } else if (nodes == null) {
                // A bare partition: the validator maps it to the cluster's nodes in order.
                for (JsonNode count : layers) {
                    addLayerValue(null, count, false, entries, problems);
                }
            } else {
                declared = new ArrayList<>();
                for (JsonNode n : nodes) {
                    declared.add(n.isValueNode() ? n.asText() : n.toString());
                }
                if (declared.size() != layers.size()) {
                    problems.add("nodes_used names " + declared.size() + " nodes but layers_per_node has "
                            + layers.size() + " values; give one layer count per used node, in the same order");
                } else {
                    for (int i = 0; i < declared.size(); i++) {
                        addLayerValue(declared.get(i), layers.get(i), true, entries, problems);
                    }
                }
            }
        }
        if (entries.isEmpty() && problems.isEmpty()) {
            problems.add("the answer assigns no layers to any node");
        }
        return new ParsedAnswer(entries, declared, declaredCount, rationale, problems);
    }

    private static JsonNode splitToArray(String text) {
        var array = JSON.createArrayNode();
        for (String part : text.split("[,;/\\s]+")) {
            if (!part.isBlank()) {
                array.add(part.trim());
            }
        }
        return array;
    }

    private static void readStages(JsonNode stages, List<ParsedAnswer.Entry> entries, List<String> problems) {
        if (stages.isObject()) {
            // {"node0": 20, "node1": 20} or {"node0": "0-19"}
            for (Map.Entry<String, JsonNode> e : stages.properties()) {
                addLayerValue(e.getKey(), e.getValue(), false, entries, problems);
            }
            return;
        }
        int i = 0;
        for (JsonNode stage : stages) {
            if (!stage.isObject()) {
                problems.add("stages[" + i + "] must be an object with a node and its layers, was " + kind(stage));
            } else {
                String ref = text(field(stage, List.of("node", "node_id", "nodeId", "id", "name")));
                JsonNode value = field(stage, List.of("layers", "layer_count", "layerCount", "count",
                        "num_layers", "range", "layer_range"));
                if (ref == null || value == null) {
                    problems.add("stages[" + i + "] must name a node and its layers");
                } else {
                    addLayerValue(ref, value, false, entries, problems);
                }
            }
            i++;
        }
    }

    /** Reads one layer value: a count (20, "20"), a range ("0-19", [0, 19]) or a zero. */
    private static void addLayerValue(String ref, JsonNode value, boolean listedAsUsed,
            List<ParsedAnswer.Entry> entries, List<String> problems) {
        String who = ref == null ? "layer partition entry " + (entries.size() + 1) : "node '" + clip(ref) + "'";
        if (value.isIntegralNumber()) {
            if (!value.canConvertToInt() || value.intValue() < 0) {
                problems.add(who + ": layer count " + clip(value.asText()) + " is not a whole number >= 0");
                return;
            }
            entries.add(new ParsedAnswer.Entry(ref, null, value.intValue(), null, null, listedAsUsed));
            return;
        }
        if (value.isNumber()) {
            problems.add(who + ": layer count " + clip(value.asText()) + " is not a whole number");
            return;
        }
        if (value.isArray() && value.size() == 2 && value.get(0).isIntegralNumber()
                && value.get(1).isIntegralNumber()) {
            addRange(ref, new LayerPhrase.Range(value.get(0).intValue(), value.get(1).intValue(), null, 0),
                    listedAsUsed, entries, problems);
            return;
        }
        if (value.isTextual()) {
            String s = value.asText().trim();
            LayerPhrase.Range range = LayerPhrase.range(s, true);
            if (range != null && range.end() == s.length()) {
                addRange(ref, range, listedAsUsed, entries, problems);
                return;
            }
            Integer count = LayerPhrase.count(s, true);
            if (count != null) {
                entries.add(new ParsedAnswer.Entry(ref, null, count, null, null, listedAsUsed));
                return;
            }
        }
        problems.add(who + ": '" + clip(value.isValueNode() ? value.asText() : value.toString())
                + "' is not a layer count or a layer range");
    }

    private static void addRange(String ref, LayerPhrase.Range range, boolean listedAsUsed,
            List<ParsedAnswer.Entry> entries, List<String> problems) {
        String problem = range.problem();
        if (problem != null) {
            problems.add((ref == null ? "a range" : "node '" + clip(ref) + "'") + ": " + problem);
            return;
        }
        entries.add(new ParsedAnswer.Entry(ref, null, range.layers(), range.first(), range.last(), listedAsUsed));
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String s = node.isValueNode() ? node.asText() : node.toString();
        s = s.strip();
        return s.isEmpty() ? null : s;
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
