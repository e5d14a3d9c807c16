package dev.placement.llm.gemini;

import java.util.List;
import java.util.Locale;

/**
 * The {@code thinkingLevel} values each Gemini 3 family takes, as Google's documentation lists them (the Gemini
 * API's thinking guide and the Gemini 3, 3.1 and 3.5 model pages, read 2026-12): a level a model does not take
 * is an HTTP 400 on every call. Families are matched by the model name's start, longest first; a Gemini 3 model
 * not listed is taken to accept only {@code LOW} and {@code HIGH}, the two every listed family takes.
 */
final class ThinkingLevels {
    /** From least to most thinking, as a reasoning effort ranks them. */
    private static final List<String> ORDER = List.of("MINIMAL", "LOW", "MEDIUM", "HIGH");
    private static final List<String> ALL = ORDER;
    private static final List<String> LOW_HIGH = List.of("LOW", "HIGH");

    /** Model name prefix and its levels; a longer prefix is listed before a shorter one it starts with. */
    private static final List<Family> FAMILIES = List.of(
            new Family("gemini-3.1-pro", List.of("LOW", "MEDIUM", "HIGH")),
            new Family("gemini-3.1-flash", ALL), // Flash and Flash-Lite
            new Family("gemini-3.5-flash", ALL),
            new Family("gemini-3-flash", ALL),
            new Family("gemini-3-pro", LOW_HIGH));

    private record Family(String prefix, List<String> levels) {
    }

    private ThinkingLevels() {
    }

    /**
     * @param model a model name without {@code models/}
     * @return the levels its family takes, or {@code null} when its family is not listed
     */
    static List<String> listed(String model) {
        String name = model.toLowerCase(Locale.ROOT);
        for (Family f : FAMILIES) {
            if (name.startsWith(f.prefix())) {
                return f.levels();
            }
        }
        return null;
    }

    /**
     * The level to send for a provider-neutral reasoning effort: the asked one if the model takes it, else the
     * next one up that it takes ({@code none} and {@code minimal} ask for the least the model has).
     *
     * @param model  a Gemini 3 model name without {@code models/}
     * @param effort {@code none}, {@code minimal}, {@code low}, {@code medium} or {@code high}, lower case
     * @return the level, or {@code null} if the effort is not one of those
     */
    static String forEffort(String model, String effort) {
        int asked = effort.equals("none") ? 0 : ORDER.indexOf(effort.toUpperCase(Locale.ROOT));
        if (asked < 0) {
            return null;
        }
        List<String> listed = listed(model);
        List<String> takes = listed == null ? LOW_HIGH : listed;
        for (int i = asked; i < ORDER.size(); i++) {
            if (takes.contains(ORDER.get(i))) {
                return ORDER.get(i);
            }
        }
        return takes.get(takes.size() - 1);
    }
}
