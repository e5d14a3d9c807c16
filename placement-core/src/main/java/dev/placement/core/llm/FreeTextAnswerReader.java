package dev.placement.core.llm;

import static dev.placement.core.llm.AnswerParser.clip;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an answer written in the research's free-text format: {@code Nodes used: 2}, {@code Nodes used: node0,
 * node2} or {@code Nodes used: 2 (node0, node1)}; each node's share on a line of its own ({@code Node 0: layers
 * [0-19]}, {@code - **node1**: layers 20 to 39}, {@code Node 2: 0 layers}, {@code Node 3: not used}) or the whole
 * assignment on one line ({@code Layer assignment: Node 0: layers [0-12], Node 1: layers [13-26], Node 2: 13
 * layers}); a bare partition ({@code 20, 20}, {@code Layer assignment: 20, 20}); the CLI's placement form
 * ({@code node0:20,node1:20}); and a {@code Rationale:} that runs to the end of the answer.
 *
 * <p>How a line is read, so that its ambiguities are settled the same way every time:
 * <ul>
 *   <li>A line may hold several sections, cut before a section's label ({@code Nodes used:}, {@code Layer
 *       assignment:}, {@code Rationale:}) that follows a {@code ,}, {@code ;} or {@code |}; from a rationale on,
 *       the line is rationale.</li>
 *   <li>A section that gives nodes their layers is cut before each node label ({@code Node 1:}, {@code rank 2
 *       =}, {@code gpu-b:}) that follows a {@code ,}, {@code ;}, {@code |} or {@code and}, but never inside
 *       parentheses. Its first part may follow a label of its own ({@code Layer assignment:}).</li>
 *   <li>A part's node is an index ({@code Node 0} is the cluster's first node in the prompt's order; indices
 *       start at 0 and are never shifted) or an id; the validator maps both and names a reference that fits
 *       neither. A bare number ({@code Node 1: 14}), a range without the word "layers" ({@code node0: 0-12}) or
 *       an exclusion ({@code Node 2: none}) counts only after an index or a known id.</li>
 *   <li>A range that ends before it starts, or whose stated count disagrees with it ({@code layers [0-12] (12
 *       layers)}), is a problem, not a guess. Ranges of different nodes that overlap or leave gaps are the
 *       validator's to report.</li>
 *   <li>{@code Nodes used: 3 (node0, node1)} is a problem: its count and its list disagree.</li>
 *   <li>Parts and lines that match none of these are passed over, so prose around the placement costs
 *       nothing; a node whose share is worded otherwise is then missing from the sum, which the validator
 *       reports.</li>
 * </ul>
 *
 * <p>The patterns' runs of spaces and bold marks are possessive, so that no line, however long or strange, makes
 * them backtrack for long. Stateless and thread-safe.
 */
final class FreeTextAnswerReader {

    /** The rationale runs to the end of the answer and goes into the decision and the journal: cap what it keeps. */
    private static final int MAX_RATIONALE_CHARS = 2_000;

    /** What may come before a line's content: bullets, quote marks, table bars, headings, bold marks. */
    private static final String LEAD = "^[\\s>*#|•·-]*+";
    /** Spaces and bold marks between the words of a label. */
    private static final String GAP = "[\\s*]*+";
    /**
     * A node's label: "Node 0", "rank 1", "GPU #2" or an id, optionally with a second name in parentheses, then
     * ":", "=" or a dash between spaces.
     */
    private static final String NODE_LABEL = "(?<ref>(?:node|rank|gpu|stage)\\s*+#?\\s*+\\d++|[A-Za-z0-9._-]{1,64})"
            + GAP + "(?:\\((?<alt>[^)]{1,80})\\)" + GAP + ")?(?::|=|(?<=\\s)[-–—]\\s)";
    /** The words that may introduce a whole placement: "Layer assignment", "Layer partition", "Split". */
    private static final String PLACEMENT_WORDS = "(?:(?:vllm_pp_)?layer[\\s_]*(?:partition|assignments?|split"
            + "|allocation|placement)|partition|split|assignments?|allocation|layers?\\s+per\\s+node)";
    private static final String NODES_USED_WORDS = "(?:number\\s+of\\s+)?nodes?\\s+used";
    private static final String RATIONALE_WORDS = "(?:rationale|reasoning|reason|explanation|why)";

    private static final Pattern NODE_SHARE = Pattern.compile(LEAD + NODE_LABEL + "\\s*+(?<rest>.*)$",
            Pattern.CASE_INSENSITIVE);
    /** Where the next node's share begins on a line that gives several. */
    private static final Pattern NEXT_SHARE = Pattern.compile(
            "(?:[,;|]|\\band\\b)\\s*+(?=" + GAP + NODE_LABEL + ")", Pattern.CASE_INSENSITIVE);
    /** Where the next section begins on a line that holds several. */
    private static final Pattern NEXT_SECTION = Pattern.compile("[,;|]\\s*+(?=" + GAP + "(?:" + NODES_USED_WORDS
            + "|" + PLACEMENT_WORDS + "|" + RATIONALE_WORDS + ")" + GAP + "[:=])", Pattern.CASE_INSENSITIVE);
    /** A label before the first share of a line: "Layer assignment:", "Final answer =". */
    private static final Pattern LABEL = Pattern.compile(LEAD + "[A-Za-z ]{1,30}" + GAP + "[:=]" + GAP);
    private static final Pattern INDEX_REF = Pattern.compile("(?i)(?:node|rank|gpu|stage)?\\s*#?\\s*(\\d{1,4})");
    private static final Pattern EXCLUDED = Pattern.compile(
            "^(?:none|no\\s+layers|unused|not\\s+used|excluded|idle|nothing|-|—|n/a)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NODES_USED = Pattern.compile(
            LEAD + NODES_USED_WORDS + GAP + "[:=]" + GAP + "(?<rest>.+)$", Pattern.CASE_INSENSITIVE);
    /** "2", "2 nodes", "2 (node0, node1)", "2: node0, node1": how many nodes are used, maybe followed by which. */
    private static final Pattern COUNTED_NODES = Pattern.compile("^(?<count>\\d{1,4})\\s*+(?:nodes?\\b)?\\s*+"
            + "(?:(?:[(\\[]|[:–—-]\\s)\\s*+(?<list>[^)\\]]*)[)\\]]?)?\\s*+[.,;]?$", Pattern.CASE_INSENSITIVE);
    private static final Pattern NODE_LIST_SEPARATOR = Pattern.compile(",|;|\\band\\b|→|->");
    private static final Pattern PARTITION = Pattern.compile(
            LEAD + "(?:" + PLACEMENT_WORDS + ")?" + GAP + "[:=]?[\\s\\[(\"]*+"
                    + "(?<counts>\\d{1,5}(?:\\s*+[,/]\\s*+\\d{1,5})++)[\\s\\])\"]*+\\.?$",
            Pattern.CASE_INSENSITIVE);
    /** The CLI's placement form, {@code node0:20,node1:20}, alone on a line or after a label. */
    private static final Pattern SPEC = Pattern.compile(
            LEAD + "(?:[A-Za-z ]{1,30}[:=])?" + GAP + "(?<spec>[A-Za-z0-9._-]{1,64}\\s*+:\\s*+\\d{1,5}"
                    + "(?:\\s*+,\\s*+[A-Za-z0-9._-]{1,64}\\s*+:\\s*+\\d{1,5})++)" + GAP + "\\.?$");
    private static final Pattern RATIONALE = Pattern.compile(
            LEAD + RATIONALE_WORDS + GAP + "[:=]" + GAP + "(?<rest>.*)$", Pattern.CASE_INSENSITIVE);

    private FreeTextAnswerReader() {
    }

    /**
     * Reads the placement lines of {@code text}.
     *
     * @param text    the answer, already cut to {@link AnswerParser#MAX_ANSWER_CHARS}
     * @param nodeIds the cluster's node ids: a part labelled with one of them may give a bare count ({@code node1:
     *                20})
     * @return what was read; one problem if no layer assignment was found, one for each share or list that
     *         contradicts itself
     */
    static ParsedAnswer read(String text, List<String> nodeIds) {
        Reading reading = new Reading(nodeIds);
        for (String rawLine : text.split("\\R")) {
            String line = rawLine.replace("`", "").strip();
            if (!line.isEmpty()) {
                reading.line(line);
            }
        }
        return reading.result();
    }

    /** What one answer has said so far; a new one for each answer, so that the reader itself keeps no state. */
    private static final class Reading {
        private final List<String> nodeIds;
        private final List<ParsedAnswer.Entry> entries = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private List<String> declared;
        private Integer declaredCount;
        private List<Integer> partition;
        private StringBuilder rationale;
        private boolean shareProblem;

        Reading(List<String> nodeIds) {
            this.nodeIds = nodeIds;
        }

        /** Reads one line, already stripped and free of backticks; after a rationale began, it is rationale. */
        void line(String line) {
            if (rationale != null) {
                appendRationale(line);
                return;
            }
            for (String section : cut(line, NEXT_SECTION)) {
                section(section);
            }
        }

        private void appendRationale(String text) {
            if (rationale.length() < MAX_RATIONALE_CHARS) {
                rationale.append(' ').append(text);
            }
        }

        private void section(String text) {
            Matcher used = NODES_USED.matcher(text);
            if (used.matches()) {
                nodesUsed(stripMarkup(used.group("rest")));
                return;
            }
            Matcher why = RATIONALE.matcher(text);
            if (why.matches()) {
                rationale = new StringBuilder(why.group("rest").strip());
                return;
            }
            Matcher part = PARTITION.matcher(text);
            if (part.matches()) {
                if (partition == null) {
                    partition = new ArrayList<>();
                    for (String c : part.group("counts").split("[,/]")) {
                        partition.add(Integer.parseInt(c.strip()));
                    }
                }
                return;
            }
            Matcher spec = SPEC.matcher(text);
            if (spec.matches()) {
                for (String stage : spec.group("spec").split(",")) {
                    int colon = stage.lastIndexOf(':');
                    entries.add(new ParsedAnswer.Entry(stage.substring(0, colon).strip(), null,
                            Integer.parseInt(stage.substring(colon + 1).strip()), null, null, false));
                }
                return;
            }
            shares(text);
        }

        /** Reads what follows "Nodes used:": a count, a list of nodes, or a count with its list. */
        private void nodesUsed(String rest) {
            Matcher counted = COUNTED_NODES.matcher(rest);
            if (!counted.matches()) {
                declared = nodeList(rest);
                return;
            }
            declaredCount = Integer.parseInt(counted.group("count"));
            String list = counted.group("list");
            if (list == null || list.isBlank()) {
                return;
            }
            declared = nodeList(list);
            if (declared.size() != declaredCount) {
                problems.add("'Nodes used' says " + declaredCount + " but names " + declared.size() + " nodes ("
                        + clip(String.join(", ", declared)) + "); the count and the list must agree");
            }
        }

        /** Reads the shares of one node or of several: "Node 0: layers [0-12], Node 1: 27 layers". */
        private void shares(String text) {
            List<String> parts = cut(text, NEXT_SHARE);
            for (int i = 0; i < parts.size(); i++) {
                int known = problems.size();
                ParsedAnswer.Entry entry = share(parts.get(i));
                if (entry == null && i == 0 && problems.size() == known) {
                    Matcher label = LABEL.matcher(parts.get(0));
                    if (label.lookingAt()) {
                        entry = share(parts.get(0).substring(label.end()));
                    }
                }
                if (entry != null) {
                    entries.add(entry);
                }
            }
        }

        /** Reads "Node 0: layers [0-19]", "gpu-a: 20 layers", "node1: 20", "Node 2: none"; null for anything else. */
        private ParsedAnswer.Entry share(String part) {
            Matcher m = NODE_SHARE.matcher(part);
            if (!m.matches()) {
                return null;
            }
            String ref = m.group("ref").strip();
            String alt = m.group("alt");
            String altRef = alt == null ? null : alt.replaceAll("(?i)^\\s*(?:id|node id)\\s*[:=]?\\s*", "").strip();
            String rest = stripMarkup(m.group("rest"));
            boolean namesNode = INDEX_REF.matcher(ref).matches()
                    || nodeIds.stream().anyMatch(id -> id.equalsIgnoreCase(ref));
            LayerPhrase.Range range = LayerPhrase.range(rest, namesNode);
            if (range != null) {
                String problem = range.problem();
                if (problem != null) {
                    problems.add("node '" + clip(ref) + "': " + problem);
                    shareProblem = true;
                    return null;
                }
                return new ParsedAnswer.Entry(ref, altRef, range.layers(), range.first(), range.last(), false);
            }
            Integer count = LayerPhrase.count(rest, namesNode);
            if (count != null) {
                return new ParsedAnswer.Entry(ref, altRef, count, null, null, false);
            }
            if (namesNode && EXCLUDED.matcher(rest).find()) {
                return new ParsedAnswer.Entry(ref, altRef, 0, null, null, false);
            }
            return null;
        }

        /** @return what the answer said: its entries, or a bare partition paired with its list of used nodes */
        ParsedAnswer result() {
            if (entries.isEmpty() && partition != null) {
                boolean named = declared != null && declared.size() == partition.size();
                for (int i = 0; i < partition.size(); i++) {
                    entries.add(new ParsedAnswer.Entry(named ? declared.get(i) : null, null, partition.get(i), null,
                            null, false));
                }
            }
            if (entries.isEmpty() && !shareProblem) {
                problems.add("no layer assignment was found in the answer: expected the JSON object "
                        + "{\"nodes_used\": [...], \"layers_per_node\": [...], \"rationale\": \"...\"}");
            }
            String why = rationale == null ? null : rationale.toString().strip();
            return new ParsedAnswer(entries, declared, declaredCount, why == null || why.isEmpty() ? null : why,
                    problems);
        }
    }

    /**
     * Cuts {@code text} where {@code boundary} matches outside parentheses, so that "Node 0 (T4, fast): ..." stays
     * whole; from a piece that starts a rationale on, nothing more is cut.
     */
    private static List<String> cut(String text, Pattern boundary) {
        List<String> pieces = new ArrayList<>();
        Matcher next = boundary.matcher(text);
        Matcher rationale = RATIONALE.matcher(text);
        int from = 0;
        int depth = 0;
        int scanned = 0;
        while (!rationale.region(from, text.length()).lookingAt() && next.find()) {
            for (; scanned < next.start(); scanned++) {
                char c = text.charAt(scanned);
                if (c == '(') {
                    depth++;
                } else if (c == ')' && depth > 0) {
                    depth--;
                }
            }
            if (depth == 0) {
                pieces.add(text.substring(from, next.start()).strip());
                from = next.end();
            }
        }
        pieces.add(text.substring(from).strip());
        return pieces;
    }

    /** Splits "node0, node2 and node1" or "node0 -> node1" into the names as written. */
    private static List<String> nodeList(String text) {
        List<String> out = new ArrayList<>();
        for (String ref : NODE_LIST_SEPARATOR.split(text)) {
            String r = ref.strip().replaceAll("^[\\[(\"']+|[\\])\"'.]+$", "").strip();
            if (!r.isEmpty()) {
                out.add(r);
            }
        }
        return out;
    }

    private static String stripMarkup(String s) {
        return s.replace("*", "").strip();
    }
}
