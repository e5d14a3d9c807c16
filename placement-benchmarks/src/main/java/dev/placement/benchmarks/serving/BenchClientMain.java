package dev.placement.benchmarks.serving;

import dev.placement.cli.PlacementCommand;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The client JVM of {@link ClientAccuracyBenchmark}: runs {@code placement bench} through the CLI's own entry
 * ({@link PlacementCommand#execute}, what {@code placement}'s {@code main} runs, without the exit) once per
 * argument list, in one JVM, so that the first run is cold (a fresh JVM, as {@code placement bench} is) and
 * later ones warm. After each run it prints {@code #cpu-ns N}: the process's CPU time since the JVM started.
 *
 * <pre>
 * java -cp benchmarks.jar dev.placement.benchmarks.serving.BenchClientMain bench ARGS... [--next bench ARGS...]
 * </pre>
 */
public final class BenchClientMain {
    /** Separates the argument lists of consecutive runs. */
    static final String NEXT = "--next";
    /** The JVM flags the {@code placement} launcher script adds for {@code placement bench}; keep them equal. */
    static final List<String> LAUNCHER_BENCH_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-Xmn64m");
    /** Starts the line that follows each run's output. */
    static final String CPU_MARK = "#cpu-ns ";

    private BenchClientMain() {
    }

    /**
     * Runs each argument list through the CLI in turn.
     *
     * @param args the CLI's arguments, runs separated by {@code --next}
     */
    public static void main(String[] args) {
        List<List<String>> runs = new ArrayList<>();
        runs.add(new ArrayList<>());
        for (String a : args) {
            if (a.equals(NEXT)) {
                runs.add(new ArrayList<>());
            } else {
                runs.get(runs.size() - 1).add(a);
            }
        }
        int worst = 0;
        for (List<String> run : runs) {
            worst = Math.max(worst, PlacementCommand.execute(run.toArray(String[]::new)));
            System.out.println();
            System.out.println(CPU_MARK + processCpuNanos());
            System.out.flush();
        }
        if (Boolean.getBoolean("bench.threads")) {
            threadCpu();
        }
        System.exit(worst);
    }

    /** Prints to stderr the CPU time of this process's live threads, summed by name without digits. */
    private static void threadCpu() {
        java.util.Map<String, Long> ticks = new java.util.TreeMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(
                java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                String stat = java.nio.file.Files.readString(task.resolve("stat"));
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]", "");
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
            }
        } catch (java.io.IOException e) {
            System.err.println("no /proc: " + e);
        }
        ticks.forEach((name, t) -> System.err.printf("thread-cpu %-28s %6d ms%n", name, t * 10));
    }

    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }
}
