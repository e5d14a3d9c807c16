package dev.placement.vllm.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.InvalidInputException;
import java.io.BufferedReader;
import java.io.IOException;
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

    /** Validates. */
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
        ObjectMapper json = new ObjectMapper();
        List<BenchmarkPrompt> prompts = new ArrayList<>();
        String source = file.toString();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = json.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new InvalidInputException(source, "line " + lineNumber,
                            "not valid JSON (" + e.getOriginalMessage() + "); each line must be an object like "
                                    + "{\"prompt\": \"...\"}");
                }
                JsonNode prompt = node == null ? null : node.get("prompt");
                if (prompt == null || !prompt.isTextual()) {
                    throw new InvalidInputException(source, "line " + lineNumber + ": prompt",
                            "missing or not a string; each line must be an object like {\"prompt\": \"...\"}");
                }
                String text = prompt.asText();
                prompts.add(new BenchmarkPrompt(text, countWords(text)));
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(source, null, "no such file");
        } catch (IOException e) {
            throw new InvalidInputException(source, null, "cannot be read: " + e.getMessage(), e);
        }
        if (prompts.isEmpty()) {
            throw new InvalidInputException(source, null, "holds no prompt; expected one {\"prompt\": \"...\"} "
                    + "object per line");
        }
        return List.copyOf(prompts);
    }

    private static int countWords(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    }
}
