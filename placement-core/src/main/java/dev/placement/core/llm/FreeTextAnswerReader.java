package dev.placement.core.llm;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an answer written in the research's free-text format, line by line: {@code Nodes used: 2} or
 * {@code Nodes used: node0, node2}, one line per node ({@code Node 0: layers [0-19]}, {@code - **node1**: layers
 * 20 to 39}, {@code Node 2: 0 layers}, {@code Node 3: not used}), a bare partition ({@code 20, 20}), the CLI's
 * placement form ({@code node0:20,node1:20}) and a {@code Rationale:} that runs to the end of the answer.
 *
 * <p>Lines that match none of these are passed over, so prose around the placement costs nothing. The patterns'
 * runs of spaces and bold marks are possessive, so that no line, however long or strange, makes them backtrack
 * for long. Stateless and thread-safe.
 */
final class FreeTextAnswerReader {

    /** The rationale runs to the end of the answer and goes into the decision and the journal: cap what it keeps. */
    private static final int MAX_RATIONALE_CHARS = 2_000;

    /** What may come before a line's content: bullets, quote marks, table bars, headings, bold marks. */
    private static final String LEAD = "^[\\s>*#|•·-]*+";
    /** Spaces and bold marks between the words of a label. */
    private static final String GAP = "[\\s*]*+";
    /** "Node 0", "rank 1", "GPU #2", or a node id; optionally a second name in parentheses. */
    private static final Pattern NODE_LINE = Pattern.compile(
            LEAD + "(?<ref>(?:node|rank|gpu|stage)\\s*+#?\\s*+\\d++|[A-Za-z0-9._-]{1,64})" + GAP
                    + "(?:\\((?<alt>[^)]{1,80})\\)" + GAP + ")?(?::|=|(?<=\\s)[-–—]\\s)\\s*+(?<rest>.*)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern INDEX_REF = Pattern.compile("(?i)(?:node|rank|gpu|stage)?\\s*#?\\s*(\\d{1,4})");
    private static final Pattern EXCLUDED = Pattern.compile(
            "^(?:none|no\\s+layers|unused|not\\s+used|excluded|idle|nothing|-|—|n/a)\\b",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NODES_USED = Pattern.compile(
            LEAD + "(?:number\\s+of\\s+)?nodes?\\s+used" + GAP + "[:=]" + GAP + "(?<rest>.+)$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NODE_LIST_SEPARATOR = Pattern.compile(",|;|\\band\\b|→|->");
    private static final Pattern PARTITION = Pattern.compile(
            LEAD + "(?:(?:vllm_pp_)?layer[\\s_]*partition|partition|split|layers?\\s+per\\s+node|layer\\s+split)?"
                    + GAP + "[:=]?[\\s\\[(\"]*+(?<counts>\\d{1,5}(?:\\s*+[,/]\\s*+\\d{1,5})++)[\\s\\])\"]*+\\.?$",
            Pattern.CASE_INSENSITIVE);
    /** The CLI's placement form, {@code node0:20,node1:20}, alone on a line or after a label. */
    private static final Pattern SPEC = Pattern.compile(
            LEAD + "(?:[A-Za-z ]{1,30}[:=])?" + GAP + "(?<spec>[A-Za-z0-9._-]{1,64}\\s*+:\\s*+\\d{1,5}"
                    + "(?:\\s*+,\\s*+[A-Za-z0-9._-]{1,64}\\s*+:\\s*+\\d{1,5})++)" + GAP + "\\.?$");
    private static final Pattern RATIONALE = Pattern.compile(
            LEAD + "(?:rationale|reasoning|reason|explanation|why)" + GAP + "[:=]" + GAP + "(?<rest>.*)$",
            Pattern.CASE_INSENSITIVE);

    private FreeTextAnswerReader() {
    }

    /**
     * Reads the placement lines of {@code text}.
     *
     * @param text    the answer, already cut to {@link AnswerParser#MAX_ANSWER_CHARS}
     * @param nodeIds the cluster's node ids: a line labelled with one of them may give a bare count ({@code node1: 20})
     * @return what was read; one problem if no layer assignment was found
     */
    static ParsedAnswer read(String text, List<String> nodeIds) {
        List<ParsedAnswer.Entry> entries = new ArrayList<>();
        List<String> declared = null;
        Integer declaredCount = null;
        List<Integer> partition = null;
        StringBuilder rationale = null;
        for (String rawLine : text.split("\\R")) {
            String line = rawLine.replace("`", "").strip();
            if (line.isEmpty()) {
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
                Matcher bare = LayerPhrase.BARE_COUNT.matcher(rest);
                if (bare.matches()) {
                    declaredCount = Integer.parseInt(bare.group(1));
                } else {
                    declared = new ArrayList<>();
                    for (String ref : NODE_LIST_SEPARATOR.split(rest)) {
                        String r = ref.strip().replaceAll("^[\\[(\"']+|[\\])\"'.]+$", "").strip();
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
                for (String c : part.group("counts").split("[,/]")) {
                    counts.add(Integer.parseInt(c.trim()));
                }
                if (partition == null) {
                    partition = counts;
                }
                continue;
            }
            Matcher spec = SPEC.matcher(line);
            if (spec.matches()) {
                for (String stage : spec.group("spec").split(",")) {
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
        Matcher range = LayerPhrase.RANGE.matcher(rest);
        if (range.find()) {
            int first = Integer.parseInt(range.group(1));
            int last = Integer.parseInt(range.group(2));
            if (last >= first) {
                return new ParsedAnswer.Entry(ref, altRef, last - first + 1, first, last, false);
            }
        }
        Integer count = LayerPhrase.count(rest, knownForm);
        if (count != null) {
            return new ParsedAnswer.Entry(ref, altRef, count, null, null, false);
        }
        if (knownForm && EXCLUDED.matcher(rest).find()) {
            return new ParsedAnswer.Entry(ref, altRef, 0, null, null, false);
        }
        return null;
    }

    private static boolean isKnownId(String ref, List<String> nodeIds) {
        return nodeIds.stream().anyMatch(id -> id.equalsIgnoreCase(ref));
    }

    private static String stripMarkup(String s) {
        return s.replace("*", "").strip();
    }
}
