package dev.placement.core.llm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a layer placement out of an LLM's answer, tolerantly: the JSON object the schema asks for (also inside
 * {@code ```} fences or surrounded by prose), or free text in the research's format ({@code Nodes used: 2},
 * {@code Node 0: layers [0-19]}, {@code node1: layers 20-39}, {@code 20, 20}, {@code Node 2: 0 layers}).
 *
 * <p>The parser only extracts node references and numbers; it never interprets the rest of the text, so an
 * answer that "instructs" the system is at most read as data and then fails validation. Stateless and
 * thread-safe.
 */
final class AnswerParser {

    /** Answers longer than this are cut before parsing, so that a runaway answer cannot cost much time. */
    static final int MAX_ANSWER_CHARS = 100_000;
    private static final int MAX_JSON_CANDIDATES = 32;
    private static final int MAX_RATIONALE_CHARS = 2_000;

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

    /** "Node 0", "rank 1", "GPU #2", or a node id; optionally a second name in parentheses. */
    private static final Pattern NODE_LINE = Pattern.compile(
            "^[\\s>*#|•·-]*\\**\\s*(?<ref>(?:node|rank|gpu|stage)\\s*#?\\s*\\d+|[A-Za-z0-9._-]{1,64})\\s*\\**"
                    + "\\s*(?:\\((?<alt>[^)]{1,80})\\))?\\s*\\**\\s*(?::|=|\\s[-–—]\\s)\\s*(?<rest>.*)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern INDEX_REF = Pattern.compile("(?i)(?:node|rank|gpu|stage)?\\s*#?\\s*(\\d{1,4})");
    private static final Pattern RANGE = Pattern.compile(
            "^(?:(?:decoder\\s+)?(?:layers?|blocks?)\\s*[:=]?\\s*)?[\\[(]?\\s*(\\d{1,5})\\s*(?:-|–|—|to|\\.\\.)\\s*"
                    + "(\\d{1,5})\\s*[\\])]?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern COUNT_AFTER = Pattern.compile(
            "^(\\d{1,5})\\s*(?:decoder\\s+)?(?:layers?|blocks?)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern COUNT_BEFORE = Pattern.compile(
            "^(?:decoder\\s+)?(?:layers?|blocks?)\\s*[:=]?\\s*(\\d{1,5})\\b(?!\\s*(?:-|–|—|to|\\.\\.))",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern BARE_COUNT = Pattern.compile("^(\\d{1,5})\\s*[.,;]?$");
    private static final Pattern EXCLUDED = Pattern.compile(
            "^(?:none|no\\s+layers|unused|not\\s+used|excluded|idle|nothing|-|—|n/a)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NODES_USED = Pattern.compile(
            "^[\\s>*#|•·-]*\\**\\s*(?:number\\s+of\\s+)?nodes?\\s+used\\s*\\**\\s*[:=]\\s*\\**\\s*(?<rest>.+)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PARTITION = Pattern.compile(
            "^[\\s>*#|•·-]*\\**\\s*(?:(?:vllm_pp_)?layer[\\s_]*partition|partition|split|layers?\\s+per\\s+node"
                    + "|layer\\s+split)?\\s*\\**\\s*[:=]?\\s*[`\\[(\"]*\\s*(?<counts>\\d{1,5}(?:\\s*[,/]\\s*\\d{1,5})+)"
                    + "\\s*[`\\])\"]*\\s*\\.?$",
            Pattern.CASE_INSENSITIVE);
    /** The CLI's placement form, {@code node0:20,node1:20}, alone on a line or after a label. */
    private static final Pattern SPEC = Pattern.compile(
            "^[\\s>*#|•·-]*\\**\\s*(?:[A-Za-z ]{1,30}[:=]\\s*)?\\**\\s*(?<spec>[A-Za-z0-9._-]{1,64}\\s*:\\s*\\d{1,5}"
                    + "(?:\\s*,\\s*[A-Za-z0-9._-]{1,64}\\s*:\\s*\\d{1,5})+)\\s*\\**\\s*\\.?$");
    private static final Pattern RATIONALE = Pattern.compile(
            "^[\\s>*#|•·-]*\\**\\s*(?:rationale|reasoning|reason|explanation|why)\\s*\\**\\s*[:=]\\s*\\**\\s*"
                    + "(?<rest>.*)$",
            Pattern.CASE_INSENSITIVE);

    /**
     * Reads an answer.
     *
     * @param text    the answer text; may be anything, including empty
     * @param nodeIds the cluster's node ids, used to recognise lines that name a node by id
     * @return what was read; {@link ParsedAnswer#problems()} says what could not be read
     */
    ParsedAnswer parse(String text, List<String> nodeIds) {
        if (text == null || text.isBlank()) {
            return failed("the answer is empty");
        }
        String input = text.length() > MAX_ANSWER_CHARS ? text.substring(0, MAX_ANSWER_CHARS) : text;
        ParsedAnswer fromJson = parseJson(input);
        if (fromJson != null) {
            return fromJson;
        }
        return parseFreeText(input, nodeIds);
    }

    private static ParsedAnswer failed(String problem) {
        return new ParsedAnswer(List.of(), null, null, null, List.of(problem));
    }

    // ---- JSON -------------------------------------------------------------------------------------------

    /** @return the answer read from the first JSON object that has placement fields, or null if there is none */
    private ParsedAnswer parseJson(String text) {
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

    private ParsedAnswer fromJsonObject(JsonNode obj) {
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

    private void readStages(JsonNode stages, List<ParsedAnswer.Entry> entries, List<String> problems) {
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
    private void addLayerValue(String ref, JsonNode value, boolean listedAsUsed, List<ParsedAnswer.Entry> entries,
            List<String> problems) {
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
            addRange(ref, value.get(0).intValue(), value.get(1).intValue(), listedAsUsed, entries, problems);
            return;
        }
        if (value.isTextual()) {
            String s = value.asText().trim();
            Matcher range = RANGE.matcher(s);
            if (range.find() && range.end() == s.length()) {
                addRange(ref, Integer.parseInt(range.group(1)), Integer.parseInt(range.group(2)), listedAsUsed,
                        entries, problems);
                return;
            }
            Integer count = countOf(s, true);
            if (count != null) {
                entries.add(new ParsedAnswer.Entry(ref, null, count, null, null, listedAsUsed));
                return;
            }
        }
        problems.add(who + ": '" + clip(value.isValueNode() ? value.asText() : value.toString())
                + "' is not a layer count or a layer range");
    }

    private static void addRange(String ref, int first, int last, boolean listedAsUsed,
            List<ParsedAnswer.Entry> entries, List<String> problems) {
        if (last < first) {
            problems.add((ref == null ? "a range" : "node '" + clip(ref) + "'") + ": layer range " + first + "-"
                    + last + " ends before it starts");
            return;
        }
        entries.add(new ParsedAnswer.Entry(ref, null, last - first + 1, first, last, listedAsUsed));
    }

    // ---- free text --------------------------------------------------------------------------------------

    private ParsedAnswer parseFreeText(String text, List<String> nodeIds) {
        List<ParsedAnswer.Entry> entries = new ArrayList<>();
        List<String> declared = null;
        Integer declaredCount = null;
        List<Integer> partition = null;
        StringBuilder rationale = null;
        for (String rawLine : text.split("\\R")) {
            String line = rawLine.replace("`", "").strip();
            if (line.isEmpty() || line.startsWith("```")) {
                continue;
            }
            if (rationale != null) {
                if (rationale.length() < MAX_RATIONALE_CHARS) {
                    rationale.append(' ').append(line);
                }
                continue;
            }
            Matcher used = NODES_USED.matcher(line);
            if (used.matches()) {
                String rest = stripMarkup(used.group("rest"));
                Matcher bare = BARE_COUNT.matcher(rest);
                if (bare.matches()) {
                    declaredCount = Integer.parseInt(bare.group(1));
                } else {
                    declared = new ArrayList<>();
                    for (String ref : rest.split("\\s*(?:,|;|\\band\\b|→|->)\\s*")) {
                        String r = ref.replaceAll("^[\\[(\"']+|[\\])\"'.]+$", "").trim();
                        if (!r.isEmpty()) {
                            declared.add(r);
                        }
                    }
                }
                continue;
            }
            Matcher why = RATIONALE.matcher(line);
            if (why.matches()) {
                rationale = new StringBuilder(why.group("rest").strip());
                continue;
            }
            Matcher part = PARTITION.matcher(line);
            if (part.matches()) {
                List<Integer> counts = new ArrayList<>();
                for (String c : part.group("counts").split("\\s*[,/]\\s*")) {
                    counts.add(Integer.parseInt(c.trim()));
                }
                if (partition == null) {
                    partition = counts;
                }
                continue;
            }
            Matcher spec = SPEC.matcher(line);
            if (spec.matches()) {
                for (String stage : spec.group("spec").split("\\s*,\\s*")) {
                    int colon = stage.lastIndexOf(':');
                    entries.add(new ParsedAnswer.Entry(stage.substring(0, colon).strip(), null,
                            Integer.parseInt(stage.substring(colon + 1).strip()), null, null, false));
                }
                continue;
            }
            Matcher nodeLine = NODE_LINE.matcher(line);
            if (nodeLine.matches()) {
                String ref = nodeLine.group("ref").trim();
                boolean knownForm = INDEX_REF.matcher(ref).matches() || isKnownId(ref, nodeIds);
                ParsedAnswer.Entry entry = readAssignment(ref, nodeLine.group("alt"),
                        stripMarkup(nodeLine.group("rest")), knownForm);
                if (entry != null) {
                    entries.add(entry);
                }
            }
        }
        List<String> problems = new ArrayList<>();
        if (entries.isEmpty() && partition != null) {
            if (declared != null && declared.size() == partition.size()) {
                for (int i = 0; i < partition.size(); i++) {
                    entries.add(new ParsedAnswer.Entry(declared.get(i), null, partition.get(i), null, null, false));
                }
            } else {
                partition.forEach(c -> entries.add(new ParsedAnswer.Entry(null, null, c, null, null, false)));
            }
        }
        if (entries.isEmpty()) {
            problems.add("no layer assignment was found in the answer: expected the JSON object "
                    + "{\"nodes_used\": [...], \"layers_per_node\": [...], \"rationale\": \"...\"}");
        }
        String why = rationale == null ? null : rationale.toString().strip();
        return new ParsedAnswer(entries, declared, declaredCount, why == null || why.isEmpty() ? null : why,
                problems);
    }

    /** Reads "layers [0-19]", "20 layers", "layers: 20", "0 layers", "none"; a bare "20" only for known nodes. */
    private static ParsedAnswer.Entry readAssignment(String ref, String alt, String rest, boolean knownForm) {
        String altRef = alt == null ? null : alt.replaceAll("(?i)^\\s*(?:id|node id)\\s*[:=]?\\s*", "").strip();
        Matcher range = RANGE.matcher(rest);
        if (range.find()) {
            int first = Integer.parseInt(range.group(1));
            int last = Integer.parseInt(range.group(2));
            if (last >= first) {
                return new ParsedAnswer.Entry(ref, altRef, last - first + 1, first, last, false);
            }
        }
        Integer count = countOf(rest, knownForm);
        if (count != null) {
            return new ParsedAnswer.Entry(ref, altRef, count, null, null, false);
        }
        if (knownForm && EXCLUDED.matcher(rest).find()) {
            return new ParsedAnswer.Entry(ref, altRef, 0, null, null, false);
        }
        return null;
    }

    private static Integer countOf(String rest, boolean bareAllowed) {
        Matcher after = COUNT_AFTER.matcher(rest);
        if (after.find()) {
            return Integer.parseInt(after.group(1));
        }
        Matcher before = COUNT_BEFORE.matcher(rest);
        if (before.find()) {
            return Integer.parseInt(before.group(1));
        }
        Matcher bare = BARE_COUNT.matcher(rest);
        if (bareAllowed && bare.matches()) {
            return Integer.parseInt(bare.group(1));
        }
        return null;
    }

    private static boolean isKnownId(String ref, List<String> nodeIds) {
        return nodeIds.stream().anyMatch(id -> id.equalsIgnoreCase(ref));
    }

    private static String stripMarkup(String s) {
        return s.replace("*", "").strip();
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
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Keeps echoed answer fragments short in messages. */
    static String clip(String s) {
        String oneLine = s.replaceAll("\\p{Cntrl}", " ");
        return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 40) + "...";
    }
}
