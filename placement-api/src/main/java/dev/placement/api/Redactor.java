package dev.placement.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Replaces known secret values (API keys, bearer tokens) with {@code ***} in text that came from outside (an
 * error body, a job log, an LLM's answer) before it becomes a message, an output or a journal line. Apply it
 * where such text enters, so that nothing downstream needs to know which values are secret.
 *
 * <p>Values shorter than {@value #MIN_SECRET_CHARS} characters are not registered: replacing them would mangle
 * ordinary text without protecting anything worth a key. Immutable and thread-safe; {@link #toString()} shows
 * only how many values it holds, never the values.
 */
public final class Redactor {
    /** The shortest value treated as a secret. */
    public static final int MIN_SECRET_CHARS = 4;
    /** What every secret value is replaced with. */
    public static final String MASK = "***";

    private static final Redactor NONE = new Redactor(List.of());

    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = secrets;
    }

    /** @return a redactor that changes nothing */
    public static Redactor none() {
        return NONE;
    }

    /**
     * @param secrets the values to replace; {@code null}, blank and too short values are skipped; not null
     * @return a redactor for these values
     */
    public static Redactor of(Collection<String> secrets) {
        Objects.requireNonNull(secrets, "secrets");
        List<String> kept = new ArrayList<>();
        for (String s : secrets) {
            if (s != null && s.strip().length() >= MIN_SECRET_CHARS && !kept.contains(s.strip())) {
                kept.add(s.strip());
            }
        }
        // Longest first, so that a key containing another key is replaced whole.
        kept.sort(Comparator.comparingInt(String::length).reversed());
        return kept.isEmpty() ? NONE : new Redactor(List.copyOf(kept));
    }

    /**
     * @param secrets the values to replace, as {@link #of(Collection)} takes them
     * @return a redactor for these values
     */
    public static Redactor of(String... secrets) {
        return of(Arrays.asList(secrets));
    }

    /**
     * @param other another redactor; not null
     * @return a redactor that replaces the values of both
     */
    public Redactor and(Redactor other) {
        Objects.requireNonNull(other, "other");
        List<String> all = new ArrayList<>(secrets);
        all.addAll(other.secrets);
        return of(all);
    }

    /**
     * @param text any text, or {@code null}
     * @return the text with every secret value replaced by {@value #MASK}, or {@code null} for {@code null}
     */
    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, MASK);
        }
        return result;
    }

    /** @return how many values this redactor replaces */
    public int size() {
        return secrets.size();
    }

    @Override
    public String toString() {
        return "Redactor[" + secrets.size() + " secrets]";
    }
}
