package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.cli.demo.DemoScenario;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of every file and flag the CLI reads: a few hundred small malformed inputs, made by mutating
 * valid ones, each run in-process. Every run must keep the one-line contract: exit 2 for bad input (0 or 3 when
 * the mutation left it valid), exactly one line on stderr, no stack trace and no control character reaching the
 * terminal. Inputs are small, so that each is bounded in time without a wall-clock assertion.
 */
class MalformedInputFuzzTest {

    private static final long SEED = 13;
    private static final int CASES = 360;
    private static final String CONFIG = """
            {"_name_or_path": "org/tiny", "model_type": "llama", "num_hidden_layers": 8, "hidden_size": 256,
             "intermediate_size": 512, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000,
             "max_position_embeddings": 2048, "torch_dtype": "bfloat16"}
            """;
    private static final String PROMPTS = "{\"prompt\": \"hello there\"}\n{\"prompt\": \"a b c\"}\n";
    private static final String[] NASTY = {"\u001b[31m", "\n", "\t", "\r", "---\n", "[", "{", "}", ":", "'", "\"",
        "4294967297", "1e300", "-1", "0", "NaN", ".inf", "&a", "*a", "!!binary ", "\u0000", "9".repeat(30),
        "\u2028", " junk", ",", "- ", "  ", "null", "~", "? ", "%YAML 1.1\n", "0.0001", "1e-9", "2147483647"};
    private static final String[] BAD_INTS = {"0", "-1", "2147483647", "4294967297", "1e3", "", " ", "x",
        "99999999999", "-2147483648", "1\n2", "\u001b[2J"};
    private static final String[] BAD_URLS = {"http://127.0.0.1:99999", "http://127.0.0.1:-1", "ftp://127.0.0.1",
        "http://", "127.0.0.1:8000", "http://[::1", "http://127.0.0.1:8000/\u001b[31m", "", "http:// bad host/",
        "http://127.0.0.1:65536"};

    @TempDir
    Path dir;

    private final Random random = new Random(SEED);

    @Test
    void everyMalformedInputKeepsTheOneLineContract() throws IOException {
        Path cluster = Files.writeString(dir.resolve("cluster.yaml"), PlanCommandTest.CLUSTER);
        Path links = Files.writeString(dir.resolve("links.yaml"), PlanCommandTest.FAST);
        List<String> broken = new ArrayList<>();
        int badInput = 0;
        for (int i = 0; i < CASES; i++) {
            Path file = dir.resolve("case" + i);
            String[] args;
            boolean benchRuns = false;
            switch (i % 7) {
                case 0 -> args = plan(write(file.resolveSibling("c" + i + ".yaml"), PlanCommandTest.CLUSTER),
                        links.toString(), "tiiuae/Falcon3-10B-Base");
                case 1 -> args = plan(cluster.toString(), write(file.resolveSibling("l" + i + ".yaml"),
                        PlanCommandTest.FAST), "tiiuae/Falcon3-10B-Base");
                case 2 -> args = plan(cluster.toString(), links.toString(), write(file.resolveSibling("config"
                        + i + ".json"), CONFIG));
                case 3 -> args = new String[] {"demo", "--scenario", write(file.resolveSibling("s" + i + ".yaml"),
                        DemoScenario.builtInText()), "--out", dir.resolve("out" + i).toString()};
                case 4 -> {
                    benchRuns = true;
                    args = new String[] {"bench", "--url", "http://127.0.0.1:1", "--model", "m", "--num-prompts",
                        "1", "--num-warmups", "0", "--timeout", "5", "--prompts",
                        write(file.resolveSibling("p" + i + ".jsonl"), PROMPTS)};
                }
                case 5 -> args = planFlags(cluster, links);
                default -> {
                    benchRuns = true;
                    args = benchFlags();
                }
            }
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = CapturingCli.writingTo(out, err).execute(args);
            String stderr = err.toString();
            List<String> lines = stderr.lines().toList();
            boolean ok = switch (code) {
                case 0, 3 -> !stderr.contains("\tat ");
                case 2 -> lines.size() == 1;
                // A prompts file the mutation left valid: the run is made, and no server listens on port 1.
                case 1 -> benchRuns && lines.size() == 1 && lines.get(0).startsWith("placement: all ");
                default -> false;
            };
            ok &= !stderr.contains("\tat ") && !stderr.contains("\u001b") && !stderr.contains("StreamReadConstraints")
                    && !stderr.contains("com.fasterxml") && !stderr.contains("snakeyaml");
            if (code == 2) {
                badInput++;
            }
            if (!ok) {
                broken.add("case " + i + " " + String.join(" ", args).replace("\n", "\\n") + " -> exit " + code
                        + ": " + stderr);
            }
        }
        assertThat(broken).isEmpty();
        // The mutations must mostly break the input, or the test proves little.
        assertThat(badInput).isGreaterThan(CASES / 2);
    }

    private static String[] plan(String cluster, String links, String model) {
        return new String[] {"plan", "--cluster", cluster, "--connectivity", links, "--model", model};
    }

    private String[] planFlags(Path cluster, Path links) {
        List<String> args = new ArrayList<>(List.of(plan(cluster.toString(), links.toString(),
                "tiiuae/Falcon3-10B-Base")));
        String[] options = {"--input-len", "--output-len", "--concurrency", "--max-model-len", "--slo", "--objective",
            "--format", "--first-node", "--calibration"};
        String option = options[random.nextInt(options.length)];
        args.add(option);
        args.add(random.nextBoolean() ? pick(BAD_INTS) : mutate("ttft=2000,tpot=150"));
        return args.toArray(String[]::new);
    }

    private String[] benchFlags() {
        List<String> args = new ArrayList<>(List.of("bench", "--url", "http://127.0.0.1:1", "--model", "m"));
        String[] options = {"--num-prompts", "--input-len", "--output-len", "--max-concurrency", "--num-warmups",
            "--timeout", "--request-rate", "--percentiles", "--endpoint"};
        int kind = random.nextInt(options.length + 1);
        if (kind == options.length) {
            args.set(2, pick(BAD_URLS));
            args.addAll(List.of("--num-prompts", "1"));
        } else {
            if (!options[kind].equals("--num-prompts")) {
                args.addAll(List.of("--num-prompts", "1"));
            }
            args.add(options[kind]);
            args.add(kind >= 5 ? mutate(random.nextBoolean() ? "-1" : "abc") : pick(BAD_INTS));
        }
        return args.toArray(String[]::new);
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    /** Applies one to three mutations to valid text. */
    private String mutate(String text) {
        String s = text;
        int n = 1 + random.nextInt(3);
        for (int m = 0; m < n; m++) {
            int at = s.isEmpty() ? 0 : random.nextInt(s.length());
            switch (random.nextInt(7)) {
                case 0 -> s = s.substring(0, at) + pick(NASTY) + s.substring(at);
                case 1 -> s = s.substring(0, at) + pick(NASTY) + s.substring(Math.min(s.length(), at + 1));
                case 2 -> s = s.substring(0, at);
                case 3 -> {
                    List<String> lines = new ArrayList<>(s.lines().toList());
                    if (!lines.isEmpty()) {
                        int l = random.nextInt(lines.size());
                        if (random.nextBoolean()) {
                            lines.add(l, lines.get(l));
                        } else {
                            lines.remove(l);
                        }
                    }
                    s = String.join("\n", lines) + "\n";
                }
                case 4 -> s = s.substring(0, at) + "[".repeat(1200) + s.substring(at);
                case 5 -> s = s + pick(NASTY) + "\n";
                default -> s = s.substring(0, at) + "\u001b]0;title\u0007" + "z".repeat(random.nextInt(3000))
                        + s.substring(at);
            }
        }
        return s;
    }

    /** Writes a mutation of valid text; one case in eight also carries bytes that are not UTF-8. */
    private String write(Path file, String valid) throws IOException {
        byte[] bytes = mutate(valid).getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(8) == 0 && bytes.length > 0) {
            bytes[random.nextInt(bytes.length)] = (byte) (0x80 | random.nextInt(0x40));
        }
        Files.write(file, bytes);
        return file.toString();
    }
}
