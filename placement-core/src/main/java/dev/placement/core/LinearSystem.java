package dev.placement.core;

/** A small dense linear system solved by Gaussian elimination with partial pivoting: the fit's normal equations. */
final class LinearSystem {

    private LinearSystem() {
    }

    /**
     * Solves {@code m x = rhs}; both arguments are overwritten. A column with no usable pivot (a singular
     * direction) gets 0.
     */
    static double[] solve(double[][] m, double[] rhs) {
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
