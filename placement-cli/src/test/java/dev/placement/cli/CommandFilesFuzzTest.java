package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.cli.demo.DemoScenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sibling of {@link MalformedInputFuzzTest} for the files and flags of {@code calibrate}, {@code evaluate},
 * {@code launch} (always with {@code --dry-run}: nothing is started) and {@code predict}: seeded mutations of
 * valid inputs, each run in-process. A bad input must exit 2 with one line naming the file or option it came from;
 * a mutation that left it valid exits as that command does on valid input. Nothing of a stack trace, a parser or
 * a terminal escape may reach stderr.
 */
class CommandFilesFuzzTest {

    private static final long SEED = 1313;
    private static final String MODEL = "tiiuae/Falcon3-10B-Base";
    private static final String RUN = "{\"cluster\": \"cluster.yaml\", \"connectivity\": \"links.yaml\", \"model\": \""
            + MODEL + "\", \"placement\": \"%s\", \"workload\": {\"inputTokens\": 512, \"outputTokens\": 128, "
            + "\"concurrency\": 8}, \"measured\": {\"mean_ttft_ms\": %s, \"mean_itl_ms\": %s, \"mean_tpot_ms\": %s, "
            + "\"output_throughput\": 95.2, \"completed\": 200}}\n";
    private static final String OBSERVATIONS = String.format(RUN, "node0:20,node1:20", "900.5", "80.1", "82.0")
            + String.format(RUN, "node0:13,node1:14,node2:13", "1100", "95.5", "97");
    private static final String SCENARIO = EvaluateCommandTest.TESTBED
            + "workload: {inputLen: 256, outputLen: 64, concurrency: 4}\nmaxModelLen: 2048\n";
    private static final String CONFIG = MalformedInputFuzzTest.CONFIG;
    private static final String[] BAD_PLACEMENTS = {"node9:20,node1:20", "node0:20,node0:20", "node0:40",
        "node0:0,node1:40", "node0:20,node1:20,", ":20,node1:20", "node0:99999999999,node1:1", "NODE0:20,node1:20",
        "node0:20;node1:20", "node0:20,node1:19", "node0:-20,node1:60", "node0", ""};
    private static final String[] LAUNCH_OPTIONS = {"--runtime", "--ready-timeout", "--max-model-len", "--vllm-arg",
        "--vllm-env", "--vllm-model", "--served-model-name", "--dtype", "--gpu-memory-utilization", "--port",
        "--vllm-version", "--ssh-port", "--ray-address", "--model"};
    private static final String[] LAUNCH_VALID = {"local", "900", "2048", "--max-num-seqs=8", "HF_HOME=/data",
        "/models/falcon", "falcon", "half", "0.85", "8000", "0.8.5", "22", "http://127.0.0.1:1", MODEL};
    private static final String[] LAUNCH_BAD = {"86401", "1000000", "--pipeline-parallel-size=3", "-pp3", "--port",
        "--config=x.yaml", "=x", "VLLM_PP_LAYER_PARTITION=1,2", "../models", "a b", "1.5", "NaN", "-0.1", "65536",
        "ray", "\u001b[2J", "x\ny", "org/none"};

    @TempDir
    Path dir;
    private final Fuzzing fuzz = new Fuzzing(SEED);
    private final List<String> broken = new ArrayList<>();
    private Path cluster;
    private Path links;
    private Path calibration;
    private Path scenarios;

    @BeforeEach
    void validInputs() throws IOException {
        cluster = Files.writeString(dir.resolve("cluster.yaml"), PlanCommandTest.CLUSTER);
        links = Files.writeString(dir.resolve("links.yaml"), PlanCommandTest.FAST);
        Path runs = Files.writeString(dir.resolve("runs.jsonl"), OBSERVATIONS);
        calibration = dir.resolve("calibration.json");
        Fuzzing.Run run = Fuzzing.run("calibrate", "--observations", runs.toString(), "--out", calibration.toString());
        assertThat(run.code()).as(run.stderr()).isZero();
        scenarios = Files.createDirectories(dir.resolve("valid-scenarios"));
        Files.writeString(scenarios.resolve("testbed.yaml"), SCENARIO);
        assertThat(Fuzzing.run("evaluate", "--agent", "even", "--scenarios", scenarios.toString()).code()).isZero();
    }

    @Test
    void everyMalformedInputOfTheseCommandsKeepsTheOneLineContract() throws IOException {
        int[] bad = new int[4];
        for (int i = 0; i < 64; i++) {
            bad[0] += check(i, calibrate(i), Set.of(0));
        }
        for (int i = 0; i < 64; i++) {
            bad[1] += check(i, evaluate(i), Set.of(0, 1));
        }
        for (int i = 0; i < 96; i++) {
            bad[2] += check(i, launch(i), Set.of(0));
        }
        for (int i = 0; i < 32; i++) {
            bad[3] += check(i, predict(i), Set.of(0, 3));
        }
        System.out.printf("fuzz: exit 2 in calibrate %d/64, evaluate %d/64, launch %d/96, predict %d/32%n",
                bad[0], bad[1], bad[2], bad[3]);
        assertThat(broken).isEmpty();
        // The mutations must mostly break the input, or the test proves little.
        assertThat(bad[0] + bad[1] + bad[2] + bad[3]).isGreaterThan(256 / 2);
    }

    @Test
    void everyMalformedFlagOfDemoAndOfBenchRecordingKeepsTheOneLineContract() throws IOException {
        // A short run of the built-in scenario, so that a mutation left valid costs little.
        Path scenario = Files.writeString(dir.resolve("short.yaml"),
                DemoScenario.builtInText().replace("stepMinutes: 60", "stepMinutes: 3"));
        int bad = 0;
        for (int i = 0; i < 32; i++) {
            bad += check(i, demo(i, scenario), Set.of(0));
        }
        for (int i = 0; i < 32; i++) {
            // A recording the mutation left valid runs, and no server listens on port 1: exit 1 in one line.
            Case c = benchRecording(i);
            Fuzzing.Run run = Fuzzing.run(c.args());
            boolean ok = run.clean() && (run.code() == 2 ? run.oneLineNaming(asPrinted(c.names()))
                    : run.code() == 1 && run.lines().size() == 1 && run.lines().get(0).startsWith("placement: all "));
            if (!ok) {
                broken.add(Fuzzing.describe(i, c.args(), run) + " (should name one of " + c.names() + ")");
            }
            bad += run.code() == 2 ? 1 : 0;
        }
        System.out.printf("fuzz: exit 2 in demo and bench --record %d/64%n", bad);
        assertThat(broken).isEmpty();
        assertThat(bad).isGreaterThan(64 / 2);
    }

    private Case demo(int i, Path scenario) throws IOException {
        String[] options = {"--agent", "--objective", "--slo", "--seed", "--calibration", "--out"};
        String option = options[i % options.length];
        String value = switch (option) {
            case "--agent" -> fuzz.mutate("proportional");
            case "--objective" -> fuzz.mutate("throughput");
            case "--slo" -> fuzz.mutate("ttft=2000,itl=150");
            case "--seed" -> fuzz.pick(Fuzzing.BAD_INTS);
            case "--calibration" -> fuzz.write(dir.resolve("demo-prior" + i + ".json"), Files.readString(calibration));
            default -> fuzz.pick(new String[] {cluster.toString(), cluster + "/out", "", "\u0000",
                fuzz.mutate(dir.resolve("demo" + i).toString())});
        };
        List<String> args = new ArrayList<>(List.of("demo", "--scenario", scenario.toString(), option + "=" + value));
        if (!option.equals("--out")) {
            args.add("--out=" + dir.resolve("demo" + i));
        }
        return new Case(args.toArray(String[]::new), List.of(option, value));
    }

    private Case benchRecording(int i) throws IOException {
        List<String> args = new ArrayList<>(List.of("bench", "--url", "http://127.0.0.1:1", "--model", MODEL,
                "--num-prompts", "1", "--num-warmups", "0", "--timeout", "5"));
        String record = dir.resolve("rec" + i + ".jsonl").toString();
        String clusterFile = cluster.toString();
        String linksFile = links.toString();
        String placement = "node0:20,node1:20";
        String maxModelLen = "4096";
        List<String> names;
        switch (i % 4) {
            case 0 -> {
                clusterFile = fuzz.write(dir.resolve("rec-c" + i + ".yaml"), PlanCommandTest.CLUSTER);
                names = List.of(clusterFile, "--placement", "--record");
            }
            case 1 -> {
                linksFile = fuzz.write(dir.resolve("rec-l" + i + ".yaml"), PlanCommandTest.FAST);
                names = List.of(linksFile, "--placement", "--record");
            }
            case 2 -> {
                placement = fuzz.nextBoolean() ? fuzz.mutate(placement) : fuzz.pick(BAD_PLACEMENTS);
                names = List.of("--placement");
            }
            default -> {
                if (fuzz.nextBoolean()) {
                    maxModelLen = fuzz.pick(Fuzzing.BAD_INTS);
                    names = List.of("--max-model-len");
                } else {
                    record = fuzz.pick(new String[] {dir.toString(), cluster + "/rec.jsonl", "", "\u0000"});
                    names = List.of("--record", record);
                }
            }
        }
        args.addAll(List.of("--record=" + record, "--cluster=" + clusterFile, "--connectivity=" + linksFile,
                "--placement=" + placement, "--max-model-len=" + maxModelLen));
        return new Case(args.toArray(String[]::new), names);
    }

    /** One case: its arguments and the files and options a problem line may name. */
    private record Case(String[] args, List<String> names) {
    }

    /** @return 1 when the case exited 2 (with one line), else 0; a broken contract is recorded */
    private int check(int i, Case c, Set<Integer> valid) {
        Fuzzing.Run run = Fuzzing.run(c.args());
        boolean ok = run.clean() && (run.code() == 2 ? run.oneLineNaming(asPrinted(c.names()))
                : valid.contains(run.code()));
        if (run.code() == 1) {
            // evaluate: every scenario the mutation left valid was ineligible; said in one line.
            ok &= run.lines().equals(List.of("placement: no scenario could be evaluated; the reasons are in the "
                    + "output"));
        }
        if (!ok) {
            broken.add(Fuzzing.describe(i, c.args(), run) + " (should name one of " + c.names() + ")");
        }
        return run.code() == 2 ? 1 : 0;
    }

    /** The names a problem line may carry: a file is named as the user gave it or by its name alone. */
    private static List<String> asPrinted(List<String> names) {
        return names.stream().filter(n -> !n.isBlank())
                .map(n -> n.startsWith("/") ? Path.of(n).getFileName().toString() : n).toList();
    }

    private Case calibrate(int i) throws IOException {
        String out = dir.resolve("out" + i + ".json").toString();
        switch (i % 5) {
            case 0 -> {
                String runs = fuzz.write(dir.resolve("runs" + i + ".jsonl"), OBSERVATIONS);
                return new Case(new String[] {"calibrate", "--observations", runs, "--out", out}, List.of(runs));
            }
            case 1, 2 -> {
                boolean nodes = i % 5 == 1;
                String name = (nodes ? "c" : "l") + i + ".yaml";
                String file = fuzz.write(dir.resolve(name), nodes ? PlanCommandTest.CLUSTER : PlanCommandTest.FAST);
                Path runs = Files.writeString(dir.resolve("runs" + i + ".jsonl"),
                        OBSERVATIONS.replace(nodes ? "cluster.yaml" : "links.yaml", name));
                return new Case(new String[] {"calibrate", "--observations", runs.toString(), "--out", out},
                        List.of(file, runs.toString()));
            }
            case 3 -> {
                String prior = fuzz.write(dir.resolve("prior" + i + ".json"), Files.readString(calibration));
                return new Case(new String[] {"calibrate", "--observations", dir.resolve("runs.jsonl").toString(),
                    "--out", out, "--calibration", prior}, List.of(prior));
            }
            default -> {
                String[] options = {"--format", "--out", "--observations"};
                String option = fuzz.pick(options);
                String value = switch (option) {
                    case "--format" -> fuzz.mutate("json");
                    case "--out" -> fuzz.pick(new String[] {dir.toString(), dir.resolve("none/c.json").toString(),
                        "", dir.resolve("runs.jsonl") + "/c.json", "\u0000", fuzz.mutate(out)});
                    default -> fuzz.pick(new String[] {dir.toString(), dir.resolve("none.jsonl").toString(), "",
                        cluster.toString(), fuzz.mutate(dir.resolve("runs.jsonl").toString())});
                };
                List<String> args = new ArrayList<>(List.of("calibrate"));
                if (!option.equals("--observations")) {
                    args.add("--observations=" + dir.resolve("runs.jsonl"));
                }
                if (!option.equals("--out")) {
                    args.add("--out=" + out);
                }
                args.add(option + "=" + value);
                return new Case(args.toArray(String[]::new), List.of(option, value));
            }
        }
    }

    private Case evaluate(int i) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("scenarios" + i));
        List<String> args = new ArrayList<>(List.of("evaluate"));
        switch (i % 4) {
            case 0 -> fuzz.write(folder.resolve("s" + i + ".yaml"), SCENARIO);
            case 1 -> fuzz.write(folder.resolve("s" + i + ".json"), """
                    {"model": "tiiuae/Falcon3-10B-Base", "maxModelLen": 2048,
                     "cluster": {"nodes": [{"id": "node0", "address": "a", "gpu": "T4"},
                                           {"id": "node1", "address": "b", "gpu": "T4"}]},
                     "connectivity": {"rttMillis": {"node0": {"node1": 20}}}}
                    """);
            case 2 -> {
                // In a folder of its own: a .json file beside the scenarios is read as one.
                fuzz.write(Files.createDirectories(folder.resolve("tiny")).resolve("config.json"), CONFIG);
                Files.writeString(folder.resolve("s" + i + ".yaml"), SCENARIO.replace(MODEL, "tiny/config.json"));
                args.addAll(List.of("--agent", "even", "--scenarios", folder.toString()));
                return new Case(args.toArray(String[]::new), List.of("s" + i + ".yaml", "config.json"));
            }
            default -> {
                Files.writeString(folder.resolve("s" + i + ".yaml"), SCENARIO);
                String[] options = {"--objective", "--slo", "--format", "--agent", "--calibration", "--scenarios",
                    "--guard", "--llm-timeout"};
                String option = fuzz.pick(options);
                String value = switch (option) {
                    case "--objective" -> fuzz.mutate("goodput");
                    case "--slo" -> fuzz.mutate("ttft=2000,itl=150");
                    case "--format" -> fuzz.mutate("csv");
                    case "--agent" -> fuzz.mutate("proportional");
                    case "--calibration" -> fuzz.write(dir.resolve("prior" + i + ".json"),
                            Files.readString(calibration));
                    case "--scenarios" -> fuzz.pick(new String[] {dir.resolve("none").toString(),
                        cluster.toString(), Files.createDirectories(dir.resolve("empty" + i)).toString(), ""});
                    default -> fuzz.pick(Fuzzing.BAD_INTS);
                };
                if (option.equals("--objective")) {
                    args.add("--slo=ttft=2000");
                }
                if (!option.equals("--agent")) {
                    args.add("--agent=even");
                }
                if (!option.equals("--scenarios")) {
                    args.add("--scenarios=" + folder);
                }
                args.add(option + "=" + value);
                List<String> names = option.equals("--calibration") ? List.of(value) : List.of(option);
                return new Case(args.toArray(String[]::new), option.equals("--scenarios")
                        ? List.of(option, value) : names);
            }
        }
        args.addAll(List.of("--agent", "even", "--scenarios", folder.toString()));
        return new Case(args.toArray(String[]::new), List.of("s" + i + "."));
    }

    private Case launch(int i) throws IOException {
        List<String> args = new ArrayList<>(List.of("launch", "--dry-run"));
        String clusterFile = cluster.toString();
        String placement = "node0:20,node1:20";
        List<String> names;
        switch (i % 4) {
            case 0 -> {
                clusterFile = fuzz.write(dir.resolve("launch" + i + ".yaml"), PlanCommandTest.CLUSTER);
                names = List.of(clusterFile, "--placement");
            }
            case 1 -> {
                placement = fuzz.nextBoolean() ? fuzz.mutate(placement) : fuzz.pick(BAD_PLACEMENTS);
                names = List.of("--placement");
            }
            default -> {
                int o = fuzz.nextInt(LAUNCH_OPTIONS.length);
                String option = LAUNCH_OPTIONS[o];
                String value = switch (fuzz.nextInt(3)) {
                    case 0 -> fuzz.mutate(LAUNCH_VALID[o]);
                    case 1 -> fuzz.pick(Fuzzing.BAD_INTS);
                    default -> fuzz.pick(LAUNCH_BAD);
                };
                if (option.equals("--model") && fuzz.nextBoolean()) {
                    value = fuzz.write(dir.resolve("config" + i + ".json"), CONFIG);
                }
                args.add(option + "=" + value);
                names = option.equals("--model") ? List.of(option, value) : List.of(option);
            }
        }
        args.addAll(List.of("--cluster", clusterFile, "--placement=" + placement));
        for (String given : new String[] {"--model=" + MODEL, "--runtime=ray-jobs"}) {
            if (args.stream().noneMatch(a -> a.startsWith(given.substring(0, given.indexOf('=') + 1)))) {
                args.add(given);
            }
        }
        assertThat(args).contains("--dry-run");
        return new Case(args.toArray(String[]::new), names);
    }

    private Case predict(int i) throws IOException {
        String clusterFile = cluster.toString();
        String placement = "node0:13,node1:14,node2:13";
        List<String> names;
        if (i % 2 == 0) {
            placement = fuzz.nextBoolean() ? fuzz.mutate(placement) : fuzz.pick(BAD_PLACEMENTS);
            names = List.of("--placement");
        } else {
            clusterFile = fuzz.write(dir.resolve("predict" + i + ".yaml"), PlanCommandTest.CLUSTER);
            names = List.of(clusterFile, links.toString(), "--placement");
        }
        return new Case(new String[] {"predict", "--cluster", clusterFile, "--connectivity", links.toString(),
            "--model", MODEL, "--placement=" + placement}, names);
    }
}
