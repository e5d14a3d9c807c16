package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.cli.demo.DemoScenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of every file and flag the CLI reads: a few hundred small malformed inputs, made by mutating
 * valid ones, each run in-process. Every run must keep the one-line contract: exit 2 for bad input (0 or 3 when
 * the mutation left it valid), exactly one line on stderr naming the file or option it came from, no stack trace
 * and no control character reaching the terminal. Inputs are small, so that each is bounded in time without a
 * wall-clock assertion.
 */
class MalformedInputFuzzTest {

    private static final long SEED = 13;
    private static final int CASES = 360;
    static final String CONFIG = """
            {"_name_or_path": "org/tiny", "model_type": "llama", "num_hidden_layers": 8, "hidden_size": 256,
             "intermediate_size": 512, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 1000,
             "max_position_embeddings": 2048, "torch_dtype": "bfloat16"}
            """;
    private static final String PROMPTS = "{\"prompt\": \"hello there\"}\n{\"prompt\": \"a b c\"}\n";
    private static final String[] BAD_URLS = {"http://127.0.0.1:99999", "http://127.0.0.1:-1", "ftp://127.0.0.1",
        "http://", "127.0.0.1:8000", "http://[::1", "http://127.0.0.1:8000/\u001b[31m", "", "http:// bad host/",
        "http://127.0.0.1:65536"};

    @TempDir
    Path dir;

    private final Fuzzing fuzz = new Fuzzing(SEED);

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
                case 0 -> args = plan(fuzz.write(file.resolveSibling("c" + i + ".yaml"), PlanCommandTest.CLUSTER),
                        links.toString(), "tiiuae/Falcon3-10B-Base");
                case 1 -> args = plan(cluster.toString(), fuzz.write(file.resolveSibling("l" + i + ".yaml"),
                        PlanCommandTest.FAST), "tiiuae/Falcon3-10B-Base");
                case 2 -> args = plan(cluster.toString(), links.toString(), fuzz.write(file.resolveSibling("config"
                        + i + ".json"), CONFIG));
                case 3 -> args = new String[] {"demo", "--scenario", fuzz.write(file.resolveSibling("s" + i + ".yaml"),
                        DemoScenario.builtInText()), "--out", dir.resolve("out" + i).toString()};
                case 4 -> {
                    benchRuns = true;
                    args = new String[] {"bench", "--url", "http://127.0.0.1:1", "--model", "m", "--num-prompts",
                        "1", "--num-warmups", "0", "--timeout", "5", "--prompts",
                        fuzz.write(file.resolveSibling("p" + i + ".jsonl"), PROMPTS)};
                }
                case 5 -> args = planFlags(cluster, links);
                default -> {
                    benchRuns = true;
                    args = benchFlags();
                }
            }
            Fuzzing.Run run = Fuzzing.run(args);
            List<String> lines = run.lines();
            boolean ok = switch (run.code()) {
                case 0, 3 -> true;
                case 2 -> run.oneLineNaming(names(i, args));
                // A prompts file the mutation left valid: the run is made, and no server listens on port 1.
                case 1 -> benchRuns && lines.size() == 1 && lines.get(0).startsWith("placement: all ");
                default -> false;
            };
            if (run.code() == 2) {
                badInput++;
            }
            if (!ok || !run.clean()) {
                broken.add(Fuzzing.describe(i, args, run));
            }
        }
        System.out.printf("fuzz: exit 2 in %d/%d cases of plan, demo and bench%n", badInput, CASES);
        assertThat(broken).isEmpty();
        // The mutations must mostly break the input, or the test proves little.
        assertThat(badInput).isGreaterThan(CASES / 2);
    }

    /**
     * The files and options a problem line of a case may name: the mutated file by its name (or the option it came
     * with), the file a mutated cluster no longer matches, the mutated option or its value.
     */
    private static List<String> names(int i, String[] args) {
        String last = args[args.length - 2];
        return switch (i % 7) {
            case 0 -> List.of("c" + i + ".yaml", "links.yaml");
            case 1 -> List.of("l" + i + ".yaml");
            case 2 -> List.of("config" + i + ".json", "--model");
            case 3 -> List.of("s" + i + ".yaml", "--scenario");
            case 4 -> List.of("p" + i + ".jsonl", "--prompts");
            // A file option's problem names the file as given: "none.json: file not found".
            case 5 -> List.of(last, args[args.length - 1]);
            default -> args[2].equals("http://127.0.0.1:1") ? List.of(last) : List.of("--url");
        };
    }

    private static String[] plan(String cluster, String links, String model) {
        return new String[] {"plan", "--cluster", cluster, "--connectivity", links, "--model", model};
    }

    private String[] planFlags(Path cluster, Path links) {
        List<String> args = new ArrayList<>(List.of(plan(cluster.toString(), links.toString(),
                "tiiuae/Falcon3-10B-Base")));
        String[] options = {"--input-len", "--output-len", "--concurrency", "--max-model-len", "--slo", "--objective",
            "--format", "--first-node", "--calibration"};
        String option = options[fuzz.nextInt(options.length)];
        args.add(option);
        args.add(fuzz.nextBoolean() ? fuzz.pick(Fuzzing.BAD_INTS) : fuzz.mutate("ttft=2000,tpot=150"));
        return args.toArray(String[]::new);
    }

    private String[] benchFlags() {
        List<String> args = new ArrayList<>(List.of("bench", "--url", "http://127.0.0.1:1", "--model", "m"));
        String[] options = {"--num-prompts", "--input-len", "--output-len", "--max-concurrency", "--num-warmups",
            "--timeout", "--request-rate", "--percentiles", "--endpoint"};
        int kind = fuzz.nextInt(options.length + 1);
        if (kind == options.length) {
            args.set(2, fuzz.pick(BAD_URLS));
            args.addAll(List.of("--num-prompts", "1"));
        } else {
            if (!options[kind].equals("--num-prompts")) {
                args.addAll(List.of("--num-prompts", "1"));
            }
            args.add(options[kind]);
            args.add(kind >= 5 ? fuzz.mutate(fuzz.nextBoolean() ? "-1" : "abc") : fuzz.pick(Fuzzing.BAD_INTS));
        }
        return args.toArray(String[]::new);
    }
}
