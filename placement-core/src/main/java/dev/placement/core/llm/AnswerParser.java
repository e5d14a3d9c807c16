package dev.placement.core.llm;

import java.util.List;

/**
 * Reads a layer placement out of an LLM's answer, tolerantly: the JSON object the schema asks for (also inside
 * {@code ```} fences or surrounded by prose), or free text in the research's format ({@code Nodes used: 2} or
 * {@code Nodes used: 2 (node0, node1)}, {@code Node 0: layers [0-19]}, {@code node1: layers 20-39},
 * {@code 20, 20}, {@code Node 2: 0 layers}), one node a line or the whole assignment on one line
 * ({@code Layer assignment: Node 0: layers [0-12], Node 1: layers [13-26], Node 2: 13 layers}).
 *
 * <p>JSON wins when the answer holds an object with placement fields ({@link JsonAnswerReader}); otherwise the
 * answer is read as free text ({@link FreeTextAnswerReader}, whose Javadoc lists how it settles ambiguous lines).
 * The parser only extracts node references and numbers; it never interprets the rest of the text, so an answer
 * that "instructs" the system is at most read as data and then fails validation. Stateless and thread-safe.
 */
final class AnswerParser {

    /** Answers longer than this are cut before parsing, so that a runaway answer cannot cost much time. */
    static final int MAX_ANSWER_CHARS = 100_000;

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
        ParsedAnswer fromJson = JsonAnswerReader.read(input);
        if (fromJson != null) {
            return fromJson;
        }
        return FreeTextAnswerReader.read(input, nodeIds);
    }

    private static ParsedAnswer failed(String problem) {
        return new ParsedAnswer(List.of(), null, null, null, List.of(problem));
    }

    /** Keeps echoed answer fragments short in messages. */
    static String clip(String s) {
        String oneLine = s.replaceAll("\\p{Cntrl}", " ");
        return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 40) + "...";
    }
}
