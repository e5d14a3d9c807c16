package dev.placement.core.llm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The words an answer uses for one node's share, whether they stand on a free-text line or in a JSON string:
 * a layer range ({@code layers [0-19]}, {@code 13 to 26}) or a layer count ({@code 20 layers}, {@code layers: 20},
 * a bare {@code 20}). Both readers share it so that {@code "0-19"} means the same in either grammar.
 * Its runs of spaces are possessive, so that a long run cannot make the patterns backtrack. Stateless and
 * thread-safe.
 */
final class LayerPhrase {

    /** A range, first and last layer inclusive, at the start of the text. */
    static final Pattern RANGE = Pattern.compile(
            "^(?:(?:decoder\\s+)?(?:layers?|blocks?)\\s*+[:=]?\\s*+)?[\\[(]?\\s*+(\\d{1,5})\\s*+(?:-|–|—|to|\\.\\.)"
                    + "\\s*+(\\d{1,5})\\s*+[\\])]?",
            Pattern.CASE_INSENSITIVE);
    /** A number alone, as in {@code Nodes used: 2} or a bare count after a node. */
    static final Pattern BARE_COUNT = Pattern.compile("^(\\d{1,5})\\s*[.,;]?$");
    private static final Pattern COUNT_AFTER = Pattern.compile(
            "^(\\d{1,5})\\s*+(?:decoder\\s+)?(?:layers?|blocks?)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern COUNT_BEFORE = Pattern.compile(
            "^(?:decoder\\s+)?(?:layers?|blocks?)\\s*+[:=]?\\s*+(\\d{1,5})\\b(?!\\s*+(?:-|–|—|to|\\.\\.))",
            Pattern.CASE_INSENSITIVE);

    private LayerPhrase() {
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
