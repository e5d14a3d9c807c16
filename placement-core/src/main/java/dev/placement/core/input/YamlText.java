package dev.placement.core.input;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.placement.api.InvalidInputException;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Turns YAML or JSON text into a tree the way every Placement input is read ({@link ClusterFiles#readYaml}):
 * one document, no key given twice, no line longer than {@value #MAX_LINE_CHARS} characters, and every problem
 * one line naming where it is, without the parser's context dump or internal names. Stateless and thread-safe.
 */
final class YamlText {

    /**
     * SnakeYAML refuses a document over 3 MiB by default, with a "syntax error" that names no limit; every file
     * reaching this parser is already bounded by its reader (at most {@link ClusterFiles#MAX_FILE_BYTES}), so the
     * parser's own limit is that bound and the reader's message is the one a user sees.
     */
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(loaderOptions()).build())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(ClusterFiles.MAX_FILE_BYTES);
        return options;
    }

    private YamlText() {
    }

    /** See {@link ClusterFiles#readYaml}. */
    static JsonNode read(String text, String source) {
        checkCharacters(text, source);
        try (JsonParser parser = YAML.createParser(text)) {
            JsonNode root = YAML.readTree(parser);
            if (root == null || root.isMissingNode() || root.isNull()) {
                throw new InvalidInputException(source, null, "the file is empty");
            }
            if (parser.nextToken() != null) {
                throw new InvalidInputException(source, null, "a second YAML document starts at line "
                        + parser.currentLocation().getLineNr() + "; give one document (remove the '---' and what "
                        + "follows)");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new InvalidInputException(source, null, "nested too deeply or too large to be a Placement input "
                    + "(at most " + StreamReadConstraints.DEFAULT_MAX_DEPTH + " levels)");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? ""
                    : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            throw new InvalidInputException(source, null, "syntax error at " + where
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidInputException(source, null, "cannot be read: " + firstLine(e.getMessage()));
        }
    }

    /** The longest line a YAML input may hold: SnakeYAML scans a long plain scalar slowly, so refuse it first. */
    static final int MAX_LINE_CHARS = 64 * 1024;

    /**
     * Refuses a line longer than {@value #MAX_LINE_CHARS} characters and a character YAML does not allow (a control
     * character other than tab and line breaks, an unpaired surrogate, U+FFFE or U+FFFF), naming where it is and
     * which: SnakeYAML says only "special characters are not allowed", at no position.
     */
    private static void checkCharacters(String text, String source) {
        int line = 1;
        int column = 1;
        for (int i = 0; i <= text.length(); column++) {
            int c = i == text.length() ? '\n' : text.codePointAt(i);
            if (c == '\n') {
                if (column - 1 > MAX_LINE_CHARS) {
                    throw new InvalidInputException(source, null, "line " + line + " is longer than "
                            + MAX_LINE_CHARS + " characters; no field of a Placement input is that long");
                }
                line++;
                column = 0;
            } else if (!printable(c)) {
                throw new InvalidInputException(source, null, String.format(Locale.ROOT, "line %d, column %d: "
                        + "character U+%04X is not allowed; YAML and JSON text holds no control character but tab "
                        + "and line breaks", line, column, c));
            }
            i += i == text.length() ? 1 : Character.charCount(c);
        }
    }

    /** YAML 1.1's printable characters, as SnakeYAML reads them. */
    private static boolean printable(int c) {
        return c == '\t' || c == '\r' || c >= 0x20 && c <= 0x7E || c == 0x85 || c >= 0xA0 && c <= 0xD7FF
                || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000;
    }

    private static final Pattern SNAKEYAML_EVENT =
            Pattern.compile("<org\\.yaml\\.snakeyaml\\.events\\.(\\w+?)Event\\b[^>]*>");

    /** The first line of a parser's message: SnakeYAML appends the offending text and a caret on more lines. */
    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        String first = message.strip().lines().findFirst().orElse("");
        first = first.endsWith(":") ? first.substring(0, first.length() - 1) : first;
        // Jackson names SnakeYAML's event objects ("got this instead: <org.yaml...SequenceStartEvent(...)>"):
        // say what the user wrote instead.
        Matcher event = SNAKEYAML_EVENT.matcher(first);
        StringBuilder b = new StringBuilder();
        while (event.find()) {
            String kind = switch (event.group(1)) {
                case "SequenceStart" -> "a list";
                case "MappingStart" -> "a mapping";
                case "Scalar" -> "a value";
                default -> "'" + event.group(1) + "'";
            };
            event.appendReplacement(b, Matcher.quoteReplacement(kind));
        }
        event.appendTail(b);
        return b.toString().replace("got this instead: ", "got ");
    }
}
