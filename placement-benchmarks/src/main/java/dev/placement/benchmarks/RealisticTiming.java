package dev.placement.benchmarks;

import com.sun.management.ThreadMXBean;
import dev.placement.api.Objective;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.PlacementSolver;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Solve times on {@link RealisticClusters} (issue 14): for each size, each seed's best of a few warm solves, the
 * CPU time of the solving thread (steadier than wall time on a shared machine), the bytes one solve allocates,
 * and the peak heap in use (the heap pools' peak after a GC, with whatever
 * {@code -Xmx} the JVM got); then the growth exponent fitted to time ∝ n^k by least squares over the sizes. Run
 * with {@code java -Xmx256m -cp placement-benchmarks/target/benchmarks.jar dev.placement.benchmarks.RealisticTiming
 * [sizes=16,32,64,128,256,512] [seeds=3] [repeats=5] [goal=ITL]}; {@code write=DIR} instead writes each size's
 * seed-1 cluster as files for {@code placement plan} into {@code DIR/n<size>}.
 */
public final class RealisticTiming {
    private RealisticTiming() {
    }

    /**
     * Runs the timings.
     *
     * @param args {@code key=value} settings as above
     */
    public static void main(String[] args) {
        int[] sizes = {16, 32, 64, 128, 256, 512};
        int seeds = 3;
        int repeats = 5;
        Objective.Goal goal = Objective.Goal.ITL;
        String write = null;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "sizes" -> sizes = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
                case "seeds" -> seeds = Integer.parseInt(kv[1]);
                case "repeats" -> repeats = Integer.parseInt(kv[1]);
                case "goal" -> goal = Objective.Goal.valueOf(kv[1].toUpperCase(Locale.ROOT));
                case "write" -> write = kv[1];
                default -> throw new IllegalArgumentException("unknown setting " + a);
            }
        }
        if (write != null) {
            for (int n : sizes) {
                RealisticClusters.write(n, 1, Path.of(write, "n" + n));
            }
            return;
        }
        PlacementSolver solver = new PlacementSolver(PerformanceModel.defaults());
        Objective objective = Objective.of(goal);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        List<double[]> fit = new ArrayList<>();
        List<double[]> fitCpu = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-6s %-5s %10s %10s %10s %12s  %s%n", "nodes", "seed", "best ms", "cpu ms",
                "alloc MB", "peak heap MB", "placement (stages, ITL ms)");
        for (int n : sizes) {
            double[] bests = new double[seeds];
            double[] cpus = new double[seeds];
            for (int seed = 1; seed <= seeds; seed++) {
                PlacementRequest request = RealisticClusters.request(n, seed, objective);
                System.gc();
                resetPeaks();
                double best = Double.POSITIVE_INFINITY;
                double bestCpu = Double.POSITIVE_INFINITY;
                long alloc = 0;
                PlacementSolver.Solution s = null;
                for (int i = 0; i < repeats; i++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    long cpu = threads.getCurrentThreadCpuTime();
                    long start = System.nanoTime();
                    s = solver.solve(request);
                    best = Math.min(best, (System.nanoTime() - start) / 1e6);
                    bestCpu = Math.min(bestCpu, (threads.getCurrentThreadCpuTime() - cpu) / 1e6);
                    alloc = threads.getCurrentThreadAllocatedBytes() - before;
                }
                bests[seed - 1] = best;
                cpus[seed - 1] = bestCpu;
                System.out.printf(Locale.ROOT, "%-6d %-5d %10.1f %10.1f %10.1f %12.1f  %d stages, %.2f ms: %s%n", n,
                        seed, best, bestCpu, alloc / 1e6, peakHeap() / 1e6, s.best().placement().stages().size(),
                        s.best().metrics().itlMillis(), s.best().placement().toSpec());
            }
            Arrays.sort(bests);
            Arrays.sort(cpus);
            fit.add(new double[] {Math.log(n), Math.log(bests[bests.length / 2])});
            fitCpu.add(new double[] {Math.log(n), Math.log(cpus[cpus.length / 2])});
        }
        System.out.printf(Locale.ROOT, "growth exponent (median time ∝ n^k, least squares): k = %.2f wall, %.2f cpu%n",
                slope(fit), slope(fitCpu));
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    /** The sum of the heap pools' peak use since the last reset: an upper bound on the live peak. */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** The least-squares slope of y on x. */
    static double slope(List<double[]> points) {
        double mx = points.stream().mapToDouble(p -> p[0]).average().orElse(0);
        double my = points.stream().mapToDouble(p -> p[1]).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }
}
