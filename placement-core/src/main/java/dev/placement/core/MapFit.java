package dev.placement.core;

import dev.placement.api.PipelineMetrics;
import dev.placement.api.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The maximum a posteriori fit of the calibrated parameters to measured runs. Minimises
 * {@code Σ (log(predicted/measured) / σ)² + Σ ((log θ − log θ₀) / σ₀)²} over the log-parameters θ inside their
 * physical ranges (bounded Levenberg–Marquardt; forward-difference Jacobian), where θ₀ is the prior, σ₀ the
 * prior widths of {@link FitCoordinate} and σ the error of one measured metric: the root mean square of the
 * residuals at the fit, never below {@link #NOISE_FLOOR}. A parameter whose posterior standard deviation (from
 * the curvature at the fit) is not below half its prior width is not identified by the data: it is set back to
 * the prior and the rest refitted, until every free parameter is identified. Deterministic; not thread-safe
 * (one fit per instance).
 */
final class MapFit {

    /** The smallest error assumed for one measured metric in log terms: vLLM bench runs repeat within a few %. */
    static final double NOISE_FLOOR = 0.02;
    /** Identified: the data narrow the prior at least this much (posterior std over prior std). */
    static final double IDENTIFIED_BELOW = 0.5;

    private final PerformanceModel.Parameters prior;
    private final List<Observation> data;
    private final List<FitCoordinate> coordinates;
    private final int rows;
    /** Each run's stages as node indices of its request's cluster, and their layer counts. */
    private final int[][] paths;
    private final int[][] layers;
    private final double[] center;
    private final boolean[] free;
    private double sigma = NOISE_FLOOR;

    private MapFit(PerformanceModel.Parameters prior, List<Observation> data) {
        this.prior = prior;
        this.data = data;
        this.coordinates = FitCoordinate.of(prior, data);
        int count = 0;
        for (Observation o : data) {
            count += measuredCount(o.measured());
        }
        this.rows = count;
        this.paths = new int[data.size()][];
        this.layers = new int[data.size()][];
        for (int o = 0; o < data.size(); o++) {
            PipelineCosts c = new PipelineCosts(data.get(o).request(), prior);
            List<Stage> stages = data.get(o).placement().stages();
            paths[o] = new int[stages.size()];
            layers[o] = new int[stages.size()];
            for (int r = 0; r < stages.size(); r++) {
                paths[o][r] = c.indexOf(stages.get(r).nodeId());
                layers[o][r] = stages.get(r).layerCount();
            }
        }
        this.center = new double[coordinates.size()];
        this.free = new boolean[coordinates.size()];
        for (int k = 0; k < center.length; k++) {
            center[k] = coordinates.get(k).logOf(prior);
            free[k] = true;
        }
    }

    /** What a fit found: the parameters (the prior's where not identified) and one estimate per coordinate. */
    record Result(PerformanceModel.Parameters parameters, List<Calibration.Estimate> estimates) {
    }

    /** Fits the prior to observations that fit the prior's memory and links and measured something. */
    static Result fit(PerformanceModel.Parameters prior, List<Observation> data) {
        return new MapFit(prior, data).run();
    }

    private Result run() {
        double[] u = center.clone();
        for (int round = 0; round <= coordinates.size() && rows > 0; round++) {
            for (int s = 0; s < 4; s++) {
                u = minimise(u);
                int dof = Math.max(1, rows - freeCount());
                double rms = Math.sqrt(sumOfSquares(dataResiduals(u, 1.0)) / dof);
                double next = Math.max(NOISE_FLOOR, rms);
                boolean settled = Math.abs(next - sigma) <= 0.05 * sigma;
                sigma = next;
                if (settled) {
                    break;
                }
            }
            double[] std = posteriorStd(u);
            boolean dropped = false;
            for (int k = 0; k < free.length; k++) {
                if (free[k] && !(std[k] < IDENTIFIED_BELOW * coordinates.get(k).priorSigma())) {
                    free[k] = false;
                    u[k] = center[k];
                    dropped = true;
                }
            }
            if (!dropped) {
                break;
            }
        }
        if (rows == 0) {
            Arrays.fill(free, false);
        }
        List<Calibration.Estimate> estimates = new ArrayList<>();
        for (int k = 0; k < free.length; k++) {
            FitCoordinate c = coordinates.get(k);
            double before = c.value().applyAsDouble(prior);
            estimates.add(new Calibration.Estimate(c.name(), before, free[k] ? value(k, u[k]) : before, c.lower(),
                    c.upper(), free[k]));
        }
        return new Result(parameters(u), estimates);
    }

    private PerformanceModel.Parameters parameters(double[] u) {
        PerformanceModel.Parameters p = prior;
        for (int k = 0; k < free.length; k++) {
            if (free[k]) {
                p = coordinates.get(k).with().apply(p, value(k, u[k]));
            }
        }
        return p;
    }

    /** The value of a free coordinate; at the prior's own log exactly, the prior's value (exp∘log may round). */
    private double value(int k, double log) {
        FitCoordinate c = coordinates.get(k);
        return log == center[k] ? c.clamp(c.value().applyAsDouble(prior)) : c.valueAt(log);
    }

    private int freeCount() {
        int n = 0;
        for (boolean f : free) {
            n += f ? 1 : 0;
        }
        return n;
    }

    private int[] freeIndices() {
        int[] idx = new int[freeCount()];
        for (int k = 0, i = 0; k < free.length; k++) {
            if (free[k]) {
                idx[i++] = k;
            }
        }
        return idx;
    }

    /** Measured log errors over {@code scale}: the data rows. */
    private double[] dataResiduals(double[] u, double scale) {
        PerformanceModel.Parameters p = parameters(u);
        double[] r = new double[rows];
        double[] m = new double[PipelineCosts.RESULTS];
        int i = 0;
        for (int o = 0; o < data.size(); o++) {
            Observation ob = data.get(o);
            // The solver's scoring path: predict's arithmetic to the bit, without building the per-stage and
            // per-link estimates, which halves the time of a fit. Usable runs fit, so every metric is filled.
            SplitEvaluator ev = new SplitEvaluator(new PipelineCosts(ob.request(), p,
                    ob.placement().tensorParallelSize()), ob.request().objective());
            ev.score(paths[o], layers[o], ev.linkTerms(paths[o]), m);
            i = logErrors(m, ob.measured(), r, i);
        }
        for (int j = 0; j < r.length; j++) {
            r[j] /= scale;
        }
        return r;
    }

    /** The data rows over σ, then one prior row per free coordinate. */
    private double[] residuals(double[] u) {
        double[] d = dataResiduals(u, sigma);
        int[] idx = freeIndices();
        double[] r = Arrays.copyOf(d, d.length + idx.length);
        for (int i = 0; i < idx.length; i++) {
            r[d.length + i] = (u[idx[i]] - center[idx[i]]) / coordinates.get(idx[i]).priorSigma();
        }
        return r;
    }

    private double[][] jacobian(double[] u, double[] r, int[] idx) {
        double[][] jac = new double[r.length][idx.length];
        for (int j = 0; j < idx.length; j++) {
            int k = idx[j];
            double h = Math.log(coordinates.get(k).upper()) - u[k] < 1e-6 ? -1e-6 : 1e-6;
            double[] t = u.clone();
            t[k] += h;
            double[] rk = residuals(t);
            for (int i = 0; i < r.length; i++) {
                jac[i][j] = (rk[i] - r[i]) / h;
            }
        }
        return jac;
    }

    private double[] minimise(double[] start) {
        double[] u = start.clone();
        int[] idx = freeIndices();
        if (idx.length == 0) {
            return u;
        }
        double[] r = residuals(u);
        double cost = sumOfSquares(r);
        double lambda = 1e-3;
        for (int iter = 0; iter < 100; iter++) {
            double[][] jac = jacobian(u, r, idx);
            double[][] a = normal(jac);
            double[] g = new double[idx.length];
            for (int i = 0; i < r.length; i++) {
                for (int x = 0; x < idx.length; x++) {
                    g[x] += jac[i][x] * r[i];
                }
            }
            boolean[] held = new boolean[idx.length];
            for (int x = 0; x < idx.length; x++) {
                FitCoordinate c = coordinates.get(idx[x]);
                held[x] = (u[idx[x]] <= Math.log(c.lower()) + 1e-12 && g[x] > 0)
                        || (u[idx[x]] >= Math.log(c.upper()) - 1e-12 && g[x] < 0);
            }
            boolean improved = false;
            double previous = cost;
            for (int attempt = 0; attempt < 30 && !improved; attempt++) {
                double[][] m = new double[idx.length][idx.length];
                double[] rhs = new double[idx.length];
                for (int x = 0; x < idx.length; x++) {
                    for (int y = 0; y < idx.length; y++) {
                        m[x][y] = held[x] || held[y] ? (x == y ? 1 : 0) : a[x][y];
                    }
                    m[x][x] += held[x] ? 0 : lambda * Math.max(a[x][x], 1e-12);
                    rhs[x] = held[x] ? 0 : -g[x];
                }
                double[] step = LinearSystem.solve(m, rhs);
                double[] candidate = u.clone();
                for (int x = 0; x < idx.length; x++) {
                    FitCoordinate c = coordinates.get(idx[x]);
                    candidate[idx[x]] = Math.min(Math.log(c.upper()), Math.max(Math.log(c.lower()),
                            u[idx[x]] + step[x]));
                }
                double[] rc = residuals(candidate);
                double c = sumOfSquares(rc);
                if (c < cost) {
                    u = candidate;
                    r = rc;
                    cost = c;
                    lambda = Math.max(lambda / 3, 1e-12);
                    improved = true;
                } else {
                    lambda *= 4;
                }
            }
            if (!improved || previous - cost <= 1e-9 * previous) {
                break;
            }
        }
        return u;
    }

    /** Posterior standard deviation of each free log-coordinate (NaN for the others): the inverse curvature. */
    private double[] posteriorStd(double[] u) {
        int[] idx = freeIndices();
        double[] std = new double[free.length];
        Arrays.fill(std, Double.NaN);
        if (idx.length == 0) {
            return std;
        }
        double[][] a = normal(jacobian(u, residuals(u), idx));
        for (int x = 0; x < idx.length; x++) {
            double[] e = new double[idx.length];
            e[x] = 1;
            double[][] copy = new double[idx.length][];
            for (int y = 0; y < idx.length; y++) {
                copy[y] = a[y].clone();
            }
            std[idx[x]] = Math.sqrt(Math.max(0, LinearSystem.solve(copy, e)[x]));
        }
        return std;
    }

    private static double[][] normal(double[][] jac) {
        int p = jac.length == 0 ? 0 : jac[0].length;
        double[][] a = new double[p][p];
        for (double[] row : jac) {
            for (int x = 0; x < p; x++) {
                for (int y = 0; y < p; y++) {
                    a[x][y] += row[x] * row[y];
                }
            }
        }
        return a;
    }

    /** How many of TTFT, ITL, TPOT and output throughput a run measured (a metric of 0 was not measured). */
    static int measuredCount(PipelineMetrics m) {
        return (m.ttftMillis() > 0 ? 1 : 0) + (m.itlMillis() > 0 ? 1 : 0) + (m.tpotMillis() > 0 ? 1 : 0)
                + (m.outputTokensPerSecond() > 0 ? 1 : 0);
    }

    /**
     * Writes log(predicted/measured) of each measured metric into {@code out} from {@code at}, in the order TTFT,
     * ITL, TPOT, throughput (also the order of {@code p}), and returns the next free index.
     */
    static int logErrors(double[] p, PipelineMetrics measured, double[] out, int at) {
        double[] m = {measured.ttftMillis(), measured.itlMillis(), measured.tpotMillis(),
            measured.outputTokensPerSecond()};
        int i = at;
        for (int j = 0; j < 4; j++) {
            if (m[j] > 0) {
                out[i++] = Math.log(Math.max(p[j], Double.MIN_NORMAL) / m[j]);
            }
        }
        return i;
    }

    private static double sumOfSquares(double[] r) {
        double s = 0;
        for (double v : r) {
            s += v * v;
        }
        return s;
    }
}
