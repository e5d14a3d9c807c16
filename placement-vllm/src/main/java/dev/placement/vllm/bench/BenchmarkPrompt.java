package dev.placement.vllm.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * One prompt a benchmark sends: its text and how many tokens it is believed to hold. The server's
 * {@code usage.prompt_tokens} replaces the belief in the results whenever the server reports it.
 *
 * @param text        the prompt; not null (for the chat endpoint it becomes the one user message)
 * @param inputTokens the estimated number of prompt tokens; &ge; 0
 */
public record BenchmarkPrompt(String text, int inputTokens) {

    /**
     * Common English words that almost every BPE vocabulary (GPT-2, Llama, Falcon, Qwen) holds as a single
     * token when preceded by a space; a prompt of n of them is close to n tokens without shipping a tokenizer.
     */
    private static final List<String> SINGLE_TOKEN_WORDS = List.of("the", "of", "and", "to", "in", "is", "that",
            "for", "it", "as", "was", "with", "be", "by", "on", "not", "he", "this", "are", "or", "his", "from",
            "at", "which", "but", "have", "an", "had", "they", "you", "were", "their", "one", "all", "we", "can",
            "her", "has", "there", "been", "if", "more", "when", "will", "would", "who", "so", "no", "time",
            "people", "year", "way", "day", "man", "thing", "world", "life", "hand", "part", "place", "case",
            "week", "work", "point", "number", "group", "problem", "fact");

    /**
     * Validates.
     *
     * @param text        the prompt; not null
     * @param inputTokens the estimated number of prompt tokens; &ge; 0
     */
    public BenchmarkPrompt {
        Objects.requireNonNull(text, "prompt.text must not be null");
        if (inputTokens < 0) {
            throw new IllegalArgumentException("prompt.inputTokens must not be negative, was " + inputTokens);
        }
    }

    /**
     * Makes synthetic prompts of a given length from common single-token words chosen at random, so that
     * prompts differ (no prefix-cache hits) and their token count is close to {@code inputTokens} on any
     * tokenizer. The same seed gives the same prompts.
     *
     * @param count       how many prompts; &ge; 1
     * @param inputTokens the length of each prompt in tokens (words); &ge; 1
     * @param seed        the seed of the random choice
     * @return the prompts
     * @throws IllegalArgumentException if count or inputTokens is below 1
     */
    public static List<BenchmarkPrompt> synthetic(int count, int inputTokens, long seed) {
        if (count < 1 || inputTokens < 1) {
            throw new IllegalArgumentException("synthetic prompts need count >= 1 and inputTokens >= 1, were "
                    + count + " and " + inputTokens);
        }
        Random random = new Random(seed);
        List<BenchmarkPrompt> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder(inputTokens * 6);
            for (int w = 0; w < inputTokens; w++) {
                if (w > 0) {
                    text.append(' ');
                }
                text.append(SINGLE_TOKEN_WORDS.get(random.nextInt(SINGLE_TOKEN_WORDS.size())));
            }
            prompts.add(new BenchmarkPrompt(text.toString(), inputTokens));
        }
        return List.copyOf(prompts);
    }

    /**
     * Reads prompts from a JSON Lines file: one object per line with a string field {@code prompt}
     * (the format of {@code vllm bench serve --dataset-name custom}); other fields are ignored, blank lines
     * skipped. The token estimate of each prompt is its number of whitespace-separated words.
     *
     * @param file the file
     * @return the prompts in file order; at least one
     * @throws InvalidInputException naming the file and line if it cannot be read, a line is not a JSON object
     *     with a string {@code prompt}, or it holds no prompt at all
     */
    public static List<BenchmarkPrompt> readJsonl(Path file) {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        List<BenchmarkPrompt> prompts = new ArrayList<>();
        String source = file.toString();
        String text = boundedText(file, source);
        int lineNumber = 0;
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            String line = text.substring(start, end);
            start = end + 1;
            lineNumber++;
            if (line.length() > MAX_LINE_CHARS) {
                throw new InvalidInputException(source, "line " + lineNumber, "longer than " + MAX_LINE_CHARS
                        + " characters; one prompt is one line");
            }
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (StreamConstraintsException e) {
                throw new InvalidInputException(source, "line " + lineNumber, "nested too deeply or too large; "
                        + "each line must be one object like {\"prompt\": \"...\"}");
            } catch (JsonProcessingException e) {
                String why = e.getOriginalMessage().lines().findFirst().orElse("")
                        .replaceAll(" \\(start marker at \\[Source: .*", "");
                throw new InvalidInputException(source, "line " + lineNumber,
                        "not valid JSON (" + why + "); each line must be one object like {\"prompt\": \"...\"}");
            }
            JsonNode prompt = node == null ? null : node.get("prompt");
            if (prompt == null || !prompt.isTextual()) {
                throw new InvalidInputException(source, "line " + lineNumber + ": prompt",
                        "missing or not a string; each line must be an object like {\"prompt\": \"...\"}");
            }
            String promptText = prompt.asText();
            prompts.add(new BenchmarkPrompt(promptText, countWords(promptText)));
        }
        if (prompts.isEmpty()) {
            throw new InvalidInputException(source, null, "holds no prompt; expected one {\"prompt\": \"...\"} "
                    + "object per line");
        }
        return List.copyOf(prompts);
    }

    /** The largest prompts file read; it is held in memory whole. */
    static final int MAX_FILE_BYTES = 64 << 20;
    /** The longest line of a prompts file: a prompt far longer than any model's context. */
    static final int MAX_LINE_CHARS = 8 << 20;

    /**
     * Reads the file whole, bounded, strictly UTF-8, refusing a directory, device or FIFO before opening it:
     * the rule placement-core's input readers follow, repeated here because this module depends on the API
     * alone.
     */
    private static String boundedText(Path file, String source) {
        if (Files.isDirectory(file)) {
            throw new InvalidInputException(source, null, "is a directory; expected a JSON Lines file of prompts");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new InvalidInputException(source, null, "is not a regular file (a device, FIFO or socket); "
                    + "expected a JSON Lines file of prompts");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(source, null, "no such file");
        } catch (IOException e) {
            throw new InvalidInputException(source, null, "cannot be read: " + e.getMessage(), e);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new InvalidInputException(source, null, "larger than " + MAX_FILE_BYTES + " bytes; split the "
                    + "prompts over several runs");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(source, null, "is not UTF-8 text; expected a JSON Lines file of "
                    + "prompts");
        }
    }

    private static int countWords(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
