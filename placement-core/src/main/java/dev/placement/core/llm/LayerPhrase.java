package dev.placement.core.llm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words an answer uses for one node's share, whether they stand on a free-text line or in a JSON string:
 * a layer range ({@code layers [0-19]}, {@code 13 to 26}, {@code layers 0–12}) or a layer count
 * ({@code 20 layers}, {@code layers: 20}, a bare {@code 20}). Both readers share it so that {@code "0-19"} means
 * the same in either grammar. Its runs of spaces are possessive, so that a long run cannot make the patterns
 * backtrack. Stateless and thread-safe.
 */
final class LayerPhrase {

    private static final String LAYER_WORD = "(?:decoder\\s+)?(?:layers?|blocks?)";
    /**
     * A range, first and last layer inclusive, at the start of the text; then, optionally, the count the answer
     * states for it ({@code layers [0-12] (13 layers)}), so that a range and a count that disagree are seen.
     */
    private static final Pattern RANGE = Pattern.compile(
            "^(?:(?<word>" + LAYER_WORD + ")\\s*+[:=]?\\s*+)?[\\[(]?\\s*+(?<first>\\d{1,5})\\s*+(?:-|–|—|to|\\.\\.)\\s*+"
                    + "(?<last>\\d{1,5})\\s*+[\\])]?(?:\\s*+[(,=:–—-]?\\s*+(?<stated>\\d{1,5})\\s*+" + LAYER_WORD
                    + "\\b\\s*+\\)?)?",
            Pattern.CASE_INSENSITIVE);
    /** A number alone, a bare count after a node. */
    private static final Pattern BARE_COUNT = Pattern.compile("^(\\d{1,5})\\s*+[.,;]?$");
    private static final Pattern COUNT_AFTER = Pattern.compile(
            "^(\\d{1,5})\\s*+" + LAYER_WORD + "\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern COUNT_BEFORE = Pattern.compile(
            "^" + LAYER_WORD + "\\s*+[:=]?\\s*+(\\d{1,5})\\b(?!\\s*+(?:-|–|—|to|\\.\\.))",
            Pattern.CASE_INSENSITIVE);

    private LayerPhrase() {
    }

    /**
     * A layer range as the answer wrote it, which may be wrong: {@link #problem()} says so.
     *
     * @param first        the first layer
     * @param last         the last layer, inclusive
     * @param statedLayers the layer count the answer gave beside the range, or {@code null}
     * @param end          where the range's words end in the text that was read
     */
    record Range(int first, int last, Integer statedLayers, int end) {

        /** @return how many layers the range holds; meaningful only when {@link #problem()} is null */
        int layers() {
            return last - first + 1;
        }

        /**
         * Says what makes this range no node's share, so that an answer's own contradiction is reported rather
         * than resolved by guessing which half it meant.
         *
         * @return the problem, worded for the repair prompt, or {@code null} if the range is usable
         */
        String problem() {
            if (last < first) {
                return "layer range " + first + "-" + last + " ends before it starts";
            }
            if (statedLayers != null && statedLayers != layers()) {
                return "layer range " + first + "-" + last + " holds " + layers() + " layers, not the "
                        + statedLayers + " the answer states; give the range and the count so that they agree";
            }
            return null;
        }
    }

    /**
     * Reads a layer range at the start of {@code text}.
     *
     * @param bareAllowed whether a range without the word "layers" counts: only where the text is known to be
     *                    about a node, since after another label ({@code TTFT: 120-150 ms}) two numbers joined
     *                    by a dash are no layers
     * @return the range, possibly backwards or contradicting its stated count (see {@link Range#problem()}), or
     *         {@code null} if the text does not start with one
     */
    static Range range(String text, boolean bareAllowed) {
        Matcher m = RANGE.matcher(text);
        if (!m.find() || (!bareAllowed && m.group("word") == null)) {
            return null;
        }
        String stated = m.group("stated");
        return new Range(Integer.parseInt(m.group("first")), Integer.parseInt(m.group("last")),
                stated == null ? null : Integer.valueOf(stated), m.end());
    }

    /**
     * Reads a layer count at the start of {@code text}.
     *
     * @param bareAllowed whether a number without "layers" counts: only where the text is known to be about a node,
     *                    since after another label ({@code Latency: 20}) a bare number is no layer count
     * @return the count, or {@code null} if the text does not start with one
     */
    static Integer count(String text, boolean bareAllowed) {
        Matcher after = COUNT_AFTER.matcher(text);
        if (after.find()) {
            return Integer.parseInt(after.group(1));
        }
        Matcher before = COUNT_BEFORE.matcher(text);
        if (before.find()) {
            return Integer.parseInt(before.group(1));
        }
        Matcher bare = BARE_COUNT.matcher(text);
        if (bareAllowed && bare.matches()) {
            return Integer.parseInt(bare.group(1));
        }
        return null;
    }
}
