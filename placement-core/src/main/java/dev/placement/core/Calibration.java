package dev.placement.core;

import dev.placement.api.PipelineMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Least-squares fit of the model's efficiency, crossing and overhead parameters (Levenberg–Marquardt on the
 * log ratio of predicted to measured TTFT, ITL and throughput). Times scale with the inverse efficiencies, so
 * those are the fitted coordinates.
 */
final class Calibration {
    private static final double[] LOWER = {1.0, 1.0, 0.0, 0.0};
    private static final double[] UPPER = {100.0, 100.0, 100.0, 1000.0};

    private Calibration() {
    }

    static PerformanceModel.Parameters fit(PerformanceModel start, List<Observation> observations) {
        PerformanceModel.Parameters base = start.parameters();
        double[] theta = {1 / base.memoryBandwidthEfficiency(), 1 / base.computeEfficiency(),
            base.latencyCrossingFactor(), base.stepOverheadMillis()};
        double[] r = residuals(base, theta, observations);
        if (r.length == 0) {
            return base;
        }
        double cost = dot(r, r);
        double lambda = 1e-3;
        for (int iter = 0; iter < 200 && cost > 1e-24; iter++) {
            int rows = r.length;
            double[][] jac = new double[rows][4];
            for (int k = 0; k < 4; k++) {
                double h = 1e-6 * Math.max(Math.abs(theta[k]), 1e-2);
                double[] t = theta.clone();
                boolean forward = t[k] + h <= UPPER[k];
                t[k] += forward ? h : -h;
                double[] rk = residuals(base, t, observations);
                for (int i = 0; i < rows; i++) {
                    jac[i][k] = (rk[i] - r[i]) / (forward ? h : -h);
                }
            }
            double[][] a = new double[4][4];
            double[] g = new double[4];
            for (int i = 0; i < rows; i++) {
                for (int x = 0; x < 4; x++) {
                    g[x] += jac[i][x] * r[i];
                    for (int y = 0; y < 4; y++) {
                        a[x][y] += jac[i][x] * jac[i][y];
                    }
                }
            }
            boolean improved = false;
            for (int attempt = 0; attempt < 20 && !improved; attempt++) {
                double[][] m = new double[4][4];
                double[] rhs = new double[4];
                for (int x = 0; x < 4; x++) {
                    m[x] = a[x].clone();
                    m[x][x] += lambda * Math.max(a[x][x], 1e-12) + 1e-15;
                    rhs[x] = -g[x];
                }
                double[] step = solve(m, rhs);
                double[] candidate = theta.clone();
                for (int x = 0; x < 4; x++) {
                    candidate[x] = Math.min(UPPER[x], Math.max(LOWER[x], theta[x] + step[x]));
                }
                double[] rc = residuals(base, candidate, observations);
                double c = dot(rc, rc);
                if (c < cost) {
                    improved = cost - c > 1e-15 * cost;
                    theta = candidate;
                    r = rc;
                    cost = c;
                    lambda = Math.max(lambda / 3, 1e-12);
                    if (!improved) {
                        return toParameters(base, theta);
                    }
                } else {
                    lambda *= 4;
                }
            }
            if (!improved) {
                break;
            }
        }
        return toParameters(base, theta);
    }

    private static PerformanceModel.Parameters toParameters(PerformanceModel.Parameters base, double[] theta) {
        return base.withMemoryBandwidthEfficiency(Math.min(1.0, 1 / theta[0]))
                .withComputeEfficiency(Math.min(1.0, 1 / theta[1]))
                .withLatencyCrossingFactor(theta[2])
                .withStepOverheadMillis(theta[3]);
    }

    private static double[] residuals(PerformanceModel.Parameters base, double[] theta, List<Observation> obs) {
        PerformanceModel model = new PerformanceModel(toParameters(base, theta));
        List<Double> out = new ArrayList<>();
        for (Observation o : obs) {
            Prediction p = model.predict(o.placement(), o.request());
            if (!p.fits()) {
                continue;
            }
            PipelineMetrics m = o.measured();
            add(out, p.metrics().ttftMillis(), m.ttftMillis());
            add(out, p.metrics().itlMillis(), m.itlMillis());
            add(out, p.metrics().outputTokensPerSecond(), m.outputTokensPerSecond());
        }
        double[] r = new double[out.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = out.get(i);
        }
        return r;
    }

    private static void add(List<Double> out, double predicted, double measured) {
        if (measured > 0 && predicted > 0) {
            out.add(Math.log(predicted / measured));
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Gaussian elimination with partial pivoting on a small dense system. */
    private static double[] solve(double[][] m, double[] rhs) {
        int n = rhs.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
                    pivot = row;
                }
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            double t = rhs[col];
            rhs[col] = rhs[pivot];
            rhs[pivot] = t;
            if (Math.abs(m[col][col]) < 1e-300) {
                continue;
            }
            for (int row = col + 1; row < n; row++) {
                double f = m[row][col] / m[col][col];
                for (int k = col; k < n; k++) {
                    m[row][k] -= f * m[col][k];
                }
                rhs[row] -= f * rhs[col];
            }
        }
        double[] x = new double[n];
        for (int row = n - 1; row >= 0; row--) {
            double s = rhs[row];
            for (int k = row + 1; k < n; k++) {
                s -= m[row][k] * x[k];
            }
            x[row] = Math.abs(m[row][row]) < 1e-300 ? 0 : s / m[row][row];
        }
        return x;
    }
}
