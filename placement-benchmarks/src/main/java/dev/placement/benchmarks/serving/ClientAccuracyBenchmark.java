package dev.placement.benchmarks.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.sim.LoopbackStreamingServer;
import dev.placement.sim.LoopbackStreamingServer.SentStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy harness of the {@code placement bench} client against the loopback server's own send times (a
 * timing harness, not a unit test). The server runs in this JVM; the client runs in a fresh JVM
 * ({@link BenchClientMain}) through the CLI's own bench path, twice: the first run is <b>cold</b>, as every
 * {@code placement bench} is; the second, in the same JVM with other prompts, <b>warm</b>. Both JVMs read the
 * same monotonic clock ({@code CLOCK_MONOTONIC}), but only differences within one JVM are compared: the
 * client's TTFT against the server's (first write − received), and each client ITL against the server's gap
 * between writing the same two chunks. Reported per run: median and p99 TTFT error, mean and p99 |ITL error|,
 * the share of merged gaps (stamped &lt; 1 ms apart, written &ge; 10 ms apart), the client process's CPU time
 * (cold: since its JVM started; warm: the second run alone), how late the server's writes began, and the load.
 * Before the first reported run, one as wide as the widest (16 output tokens, first variant) warms the
 * server's code, as a long-running server's is; it is not reported.
 *
 * <pre>
 * mvn -o -q -B -Dplacement.buildSuffix=-me -pl placement-benchmarks -am package -DskipTests
 * java -cp placement-benchmarks/target-me/benchmarks.jar dev.placement.benchmarks.serving.ClientAccuracyBenchmark \
 *     [--streams 1,64,256,512] [--output-len 96] [--ttft-ms 100] [--itl-ms 20] [--repeats 1] \
 *     [--variant NAME:ARG,ARG...]...
 * </pre>
 * Each stream count sends {@code max(streams, 8)} requests at once with {@code --max-concurrency streams}.
 * The client JVM gets the flags the {@code placement} launcher gives {@code bench}
 * ({@link BenchClientMain#LAUNCHER_BENCH_FLAGS}); a variant's arguments starting with {@code -D} or {@code -X}
 * come after them (so {@code -XX:TieredStopAtLevel=4} measures a plain {@code java -jar}), others go to
 * {@code placement bench}; with several variants each stream count runs them in turn, {@code --repeats} times,
 * so that they are compared in the same conditions. Without {@code --variant}, one variant: the defaults.
 * With {@code -Dharness.worst=true} (before {@code -cp}) every gap off by more than 2 ms is printed to stderr.
 */
public final class ClientAccuracyBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClientAccuracyBenchmark() {
    }

    /** One way of running the client: a name, JVM options and extra {@code placement bench} options. */
    record Variant(String name, List<String> jvmArgs, List<String> benchArgs) {
        static Variant parse(String spec) {
            int colon = spec.indexOf(':');
            String name = colon < 0 ? spec : spec.substring(0, colon);
            List<String> jvm = new ArrayList<>();
            List<String> bench = new ArrayList<>();
            if (colon >= 0 && colon + 1 < spec.length()) {
                for (String a : spec.substring(colon + 1).split(",")) {
                    (a.startsWith("-D") || a.startsWith("-X") ? jvm : bench).add(a);
                }
            }
            return new Variant(name, jvm, bench);
        }
    }

    /**
     * Runs the harness and prints a Markdown table.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        List<Integer> streamCounts = Arrays.stream(option(args, "--streams", "1,64,256,512").split(","))
                .map(s -> Integer.parseInt(s.strip())).toList();
        int outputLen = Integer.parseInt(option(args, "--output-len", "96"));
        int ttftMillis = Integer.parseInt(option(args, "--ttft-ms", "100"));
        int itlMillis = Integer.parseInt(option(args, "--itl-ms", "20"));
        int repeats = Integer.parseInt(option(args, "--repeats", "1"));
        List<Variant> variants = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--variant")) {
                variants.add(Variant.parse(args[i + 1]));
            }
        }
        if (variants.isEmpty()) {
            variants.add(new Variant("default", List.of(), List.of()));
        }
        System.out.printf(Locale.ROOT, "machine: %d cores; %s %s; server TTFT %d ms, ITL %d ms, %d output tokens%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), ttftMillis, itlMillis, outputLen);
        System.out.println("| streams | variant | run | completed | failed | median TTFT error ms | p99 TTFT error ms "
                + "| mean ITL error ms | p99 \\|ITL error\\| ms | merged gaps % | client CPU s | server late mean/max ms "
                + "| load before | before sent |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        Path dir = Files.createTempDirectory("client-accuracy");
        // The server stands for a long-running vLLM: its code is compiled before the first measured run by an
        // unreported one as wide as the widest, so that its JIT warm-up is not counted as the client's error.
        int widest = streamCounts.stream().max(Integer::compare).orElseThrow();
        measure(dir, variants.get(0), widest, Math.max(widest, 8), 16, ttftMillis, itlMillis, false);
        for (int streams : streamCounts) {
            for (int r = 0; r < repeats; r++) {
                for (Variant v : variants) {
                    measure(dir, v, streams, Math.max(streams, 8), outputLen, ttftMillis, itlMillis, true);
                }
            }
        }
    }

    private static void measure(Path dir, Variant variant, int streams, int prompts, int outputLen, int ttftMillis,
            int itlMillis, boolean report) throws IOException, InterruptedException {
        String load = loadAverage();
        try (LoopbackStreamingServer server = LoopbackStreamingServer.builder()
                .timeToFirstToken(Duration.ofMillis(ttftMillis)).interTokenLatency(Duration.ofMillis(itlMillis))
                .recordSendTimes().start()) {
            List<List<String>> promptsByRun = List.of(promptFile(dir, "cold", prompts),
                    promptFile(dir, "warm", prompts));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(BenchClientMain.LAUNCHER_BENCH_FLAGS);
            command.addAll(variant.jvmArgs());
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchClientMain.class.getName()));
            for (String run : List.of("cold", "warm")) {
                if (run.equals("warm")) {
                    command.add(BenchClientMain.NEXT);
                }
                command.addAll(List.of("bench", "--url", server.baseUrl().toString(), "--model", server.modelName(),
                        "--num-prompts", Integer.toString(prompts), "--max-concurrency", Integer.toString(streams),
                        "--output-len", Integer.toString(outputLen), "--prompts", dir.resolve(run + ".jsonl").toString(),
                        "--json", "--detailed", "--no-progress"));
                command.addAll(variant.benchArgs());
            }
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> documents = new ArrayList<>();
            List<Long> cpu = new ArrayList<>();
            StringBuilder doc = new StringBuilder();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith(BenchClientMain.CPU_MARK)) {
                        cpu.add(Long.parseLong(line.substring(BenchClientMain.CPU_MARK.length()).strip()));
                        documents.add(doc.toString());
                        doc.setLength(0);
                    } else {
                        doc.append(line).append('\n');
                    }
                }
            }
            child.waitFor();
            Map<String, SentStream> byPrompt = new HashMap<>();
            for (SentStream s : server.sentStreams()) {
                byPrompt.put(s.prompt(), s); // in arrival order: each prompt's last stream stays
            }
            LoopbackStreamingServer.Lateness late = server.lateness();
            for (int i = 0; report && i < documents.size(); i++) {
                JsonNode result = JSON.readTree(documents.get(i));
                ClientAccuracy a = ClientAccuracy.of(result, promptsByRun.get(i), byPrompt);
                double cpuSeconds = (i == 0 ? cpu.get(0) : cpu.get(i) - cpu.get(i - 1)) / 1e9;
                System.out.printf(Locale.ROOT, "| %d | %s | %s | %d | %d | %.2f | %.2f | %.3f | %.2f | %.3f | %.2f "
                        + "| %.2f / %.1f | %s | %d |%n", streams, variant.name(), i == 0 ? "cold" : "warm",
                        a.completed(), a.failed(), a.medianTtftError(), a.p99TtftError(), a.meanItlError(),
                        a.p99AbsItlError(), 100 * a.mergedGapShare(), cpuSeconds, late.meanMillis(),
                        late.maxMillis(), load, a.beforeSent());
            }
            System.out.flush();
        }
    }

    /** Writes {@code n} different prompts, so that the server's record of each request can be found by it. */
    private static List<String> promptFile(Path dir, String run, int n) {
        List<String> prompts = new ArrayList<>();
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String prompt = run + " request " + i + " of the client accuracy run";
            prompts.add(prompt);
            file.append("{\"prompt\": \"").append(prompt).append("\"}\n");
        }
        try {
            Files.writeString(dir.resolve(run + ".jsonl"), file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return prompts;
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
