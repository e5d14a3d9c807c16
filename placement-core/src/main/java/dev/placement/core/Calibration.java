package dev.placement.core;

import dev.placement.api.PipelineMetrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of calibrating a {@link PerformanceModel} to measured runs ({@link PerformanceModel#calibrate}):
 * the prior, the fit, whether the fit was adopted, what the data said about each parameter, and how well prior
 * and fit predict runs they were not fitted to. {@link #model()} is the model to use. Immutable and thread-safe.
 *
 * <p><b>The fit.</b> A maximum a posteriori fit in log space: it minimises {@code Σ (log(predicted/measured) /
 * σ)²} over every measured TTFT, ITL, TPOT and output throughput (a metric of 0 is not measured), plus a
 * Gaussian penalty {@code ((log θ − log θ₀) / σ₀)²} that holds each parameter θ at the prior's θ₀, inside the
 * physical ranges below (bounded Levenberg–Marquardt). σ, the error of one measured metric, is the root mean
 * square residual at the fit but never below 0.02 (repeated bench runs agree within a few %). Fitted, with
 * range and prior width σ₀ (of the natural log; e^σ₀ is the factor one standard deviation allows):
 * <ul>
 *   <li>{@code memoryBandwidthEfficiency} [0.2, 1], σ₀ 0.5, and {@code computeEfficiency} [0.05, 1], σ₀ 0.5:
 *       per GPU kind ({@code memoryBandwidthEfficiency[T4]}, …) when the observed placements ran on several
 *       kinds or the prior has an entry for the one kind, else the global ones;</li>
 *   <li>{@code latencyCrossingFactor} [1, 10], σ₀ 0.7: one one-way latency per crossing at least, at most ten
 *       sequential messages;</li>
 *   <li>{@code stepOverheadMillis} [0.05, 50] ms, σ₀ 1.5;</li>
 *   <li>{@code tpotPerItl} [0.5, 2], σ₀ 0.25.</li>
 * </ul>
 * Reserve, batching limits and the default link bandwidth are never fitted. A prior value outside its range is
 * taken at the nearest end for the fit.
 *
 * <p><b>Identified.</b> A parameter is identified when its posterior standard deviation (from the curvature of
 * the objective at the fit) is below half its prior width. One that is not keeps the prior's value exactly and
 * the others are refitted without it. The crossing factor, for example, is only identified by observations at
 * different RTTs or different stage counts on a network slow enough for crossings to matter. The step
 * overhead, a few ms of a 50–100 ms decode step and confounded with the crossings and the memory-bandwidth
 * efficiency, needs many varied runs (24 noise-free ones in {@code CalibrationTest}) and otherwise stays at the
 * prior. tpotPerItl needs TPOT measured, with ITL or throughput beside it to tell it from the efficiencies.
 *
 * <p><b>Adoption.</b> Prior and fit are compared by their leave-one-out cross-validated error: the mean of
 * {@code |log(predicted/measured)|} over every measured metric of every observation, each predicted by a fit
 * to all the other observations (for the prior, which does not depend on the data, its plain error). The fit
 * is adopted only when its cross-validated error is lower than the prior's. With one observation
 * leave-one-out cannot show a gain, so the prior is kept. Observations whose placement does not fit the prior
 * (memory or links) or that measured nothing are ignored.
 *
 * @param prior            the model calibrated; not null
 * @param fitted           the fit; the prior's parameters where nothing was identified; not null
 * @param adopted          whether the fit lowered the cross-validated error and is the model to use
 * @param estimates        one per fitted coordinate, in fit order; not null (copied)
 * @param priorCvError     the prior's mean |log(predicted/measured)|; NaN when no observation could be used
 * @param fitCvError       the fit's leave-one-out cross-validated mean |log(predicted/measured)|; NaN likewise
 * @param observationCount how many observations were used; &ge; 0
 * @param summary          one line for people: what was adopted or why not, errors, parameters; not null
 */
public record Calibration(PerformanceModel prior, PerformanceModel fitted, boolean adopted, List<Estimate> estimates,
        double priorCvError, double fitCvError, int observationCount, String summary) {

    /**
     * Validates every field and copies the estimates.
     *
     * @param prior            the model calibrated; not null
     * @param fitted           the fit; not null
     * @param adopted          whether the fit is the model to use
     * @param estimates        one per fitted coordinate, in fit order; not null, no null element
     * @param priorCvError     the prior's mean |log(predicted/measured)|; finite and &ge; 0, or NaN
     * @param fitCvError       the fit's cross-validated mean |log(predicted/measured)|; finite and &ge; 0, or NaN
     * @param observationCount how many observations were used; &ge; 0
     * @param summary          one line for people; not null
     */
    public Calibration {
        Objects.requireNonNull(prior, "prior");
        Objects.requireNonNull(fitted, "fitted");
        estimates = List.copyOf(estimates);
        errorOrNaN(priorCvError, "priorCvError");
        errorOrNaN(fitCvError, "fitCvError");
        if (observationCount < 0) {
            throw new IllegalArgumentException("observationCount must not be negative, was " + observationCount);
        }
        Objects.requireNonNull(summary, "summary");
    }

    private static void errorOrNaN(double v, String name) {
        if (!Double.isNaN(v) && !(v >= 0 && v < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + " must be a finite number >= 0 or NaN, was " + v);
        }
    }

    /** @return the model to use: the fit if it was adopted, else the prior */
    public PerformanceModel model() {
        return adopted ? fitted : prior;
    }

    /**
     * Writes this calibration as JSON to a file, replacing it: prior and fitted parameters (with the per-kind
     * efficiencies), whether the fit was adopted, the estimates, both cross-validated errors, the observation
     * count and the summary. The file is written beside the target and moved over it, so a reader never sees
     * half a file.
     *
     * @param file the file; not null; its directory must exist
     * @throws IOException if it cannot be written
     */
    public void write(Path file) throws IOException {
        CalibrationFile.write(this, Objects.requireNonNull(file, "file"));
    }

    /**
     * Reads a calibration file written by {@link #write}. Reads at most 1 MiB.
     *
     * @param file the file; not null
     * @return the calibration it holds
     * @throws dev.placement.api.InvalidInputException naming the file, the field and the value when the file is
     *         missing, unreadable, too large, not JSON, or holds a missing, unknown or out-of-range field
     */
    public static Calibration read(Path file) {
        return CalibrationFile.read(Objects.requireNonNull(file, "file"));
    }

    /**
     * The model a calibration file says to use: {@code read(file).model()}.
     *
     * @param file the file; not null
     * @return the adopted fit, or the prior when the fit was not adopted
     * @throws dev.placement.api.InvalidInputException as {@link #read}
     */
    public static PerformanceModel readModel(Path file) {
        return read(file).model();
    }

    /**
     * What the calibration found for one fitted coordinate.
     *
     * @param name        the parameter, e.g. {@code latencyCrossingFactor} or {@code computeEfficiency[T4]}
     * @param priorValue  its value in the prior
     * @param fittedValue its value in the fit: equal to {@code priorValue} when not identified
     * @param lowerBound  the smallest value the fit may take (its physical range)
     * @param upperBound  the largest
     * @param identified  whether the data identified it (posterior std below half the prior width)
     */
    public record Estimate(String name, double priorValue, double fittedValue, double lowerBound, double upperBound,
            boolean identified) {

        /**
         * Validates the fields: finite values, an ordered range, an identified value inside it.
         *
         * @param name        the parameter, e.g. {@code computeEfficiency[T4]}; not blank
         * @param priorValue  its value in the prior; finite
         * @param fittedValue its value in the fit; finite, and in the range when identified
         * @param lowerBound  the smallest value the fit may take; finite, at most {@code upperBound}
         * @param upperBound  the largest value the fit may take; finite
         * @param identified  whether the data identified it
         */
        public Estimate {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("estimate name must not be blank");
            }
            for (double v : new double[] {priorValue, fittedValue, lowerBound, upperBound}) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("estimate " + name + " has a value that is not finite: " + v);
                }
            }
            if (lowerBound > upperBound) {
                throw new IllegalArgumentException("estimate " + name + ": lower bound " + lowerBound
                        + " is above upper bound " + upperBound);
            }
            if (identified && (fittedValue < lowerBound || fittedValue > upperBound)) {
                throw new IllegalArgumentException("estimate " + name + ": fitted value " + fittedValue
                        + " is outside [" + lowerBound + ", " + upperBound + "]");
            }
        }
    }

    /** Calibrates {@code prior} to observations; see the class description. */
    static Calibration of(PerformanceModel prior, List<Observation> observations) {
        List<Observation> usable = new ArrayList<>();
        for (Observation o : observations) {
            Objects.requireNonNull(o, "observation");
            if (MapFit.measuredCount(o.measured()) > 0 && prior.predict(o.placement(), o.request()).fits()) {
                usable.add(o);
            }
        }
        PerformanceModel.Parameters p = prior.parameters();
        MapFit.Result full = MapFit.fit(p, usable);
        double priorError = meanAbsoluteLogError(prior, usable);
        double absSum = 0;
        int count = 0;
        for (int i = 0; i < usable.size(); i++) {
            List<Observation> rest = new ArrayList<>(usable);
            Observation held = rest.remove(i);
            PerformanceModel trained = new PerformanceModel(MapFit.fit(p, rest).parameters());
            double[] e = absoluteLogErrors(trained, held);
            for (double v : e) {
                absSum += v;
            }
            count += e.length;
        }
        double fitError = count == 0 ? Double.NaN : absSum / count;
        boolean changed = !full.parameters().equals(p);
        boolean adopted = usable.size() > 1 && changed && fitError < priorError;
        String summary = summary(adopted, changed, usable.size(), observations.size() - usable.size(), priorError,
                fitError, full.estimates());
        return new Calibration(prior, new PerformanceModel(full.parameters()), adopted, full.estimates(),
                priorError, fitError, usable.size(), summary);
    }

    private static double[] absoluteLogErrors(PerformanceModel model, Observation o) {
        double[] e = new double[MapFit.measuredCount(o.measured())];
        PipelineMetrics p = model.predict(o.placement(), o.request()).metrics();
        MapFit.logErrors(new double[] {p.ttftMillis(), p.itlMillis(), p.tpotMillis(), p.outputTokensPerSecond()},
                o.measured(), e, 0);
        for (int j = 0; j < e.length; j++) {
            e[j] = Math.abs(e[j]);
        }
        return e;
    }

    private static double meanAbsoluteLogError(PerformanceModel model, List<Observation> observations) {
        double sum = 0;
        int count = 0;
        for (Observation o : observations) {
            for (double v : absoluteLogErrors(model, o)) {
                sum += v;
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private static String summary(boolean adopted, boolean changed, int used, int ignored, double priorError,
            double fitError, List<Estimate> estimates) {
        StringBuilder s = new StringBuilder();
        String errors = String.format(Locale.ROOT, "cross-validated mean |log(predicted/measured)| %.3f (prior) vs "
                + "%.3f (fit)", priorError, fitError);
        if (used == 0) {
            s.append("kept the prior: no observation could be used");
        } else if (used == 1) {
            s.append("kept the prior: with one observation leave-one-out cross-validation cannot show a gain");
        } else if (!changed) {
            s.append("kept the prior: the fit over ").append(used).append(" observations is the prior itself; ")
                    .append(errors);
        } else if (adopted) {
            s.append("adopted the fit over ").append(used).append(" observations: ").append(errors);
        } else {
            s.append("kept the prior: the fit over ").append(used)
                    .append(" observations does not predict held-out runs better; ").append(errors);
        }
        if (ignored > 0) {
            s.append("; ignored ").append(ignored).append(" (placement does not fit the model, or nothing measured)");
        }
        List<String> fitted = new ArrayList<>();
        List<String> held = new ArrayList<>();
        for (Estimate e : estimates) {
            if (e.identified()) {
                fitted.add(String.format(Locale.ROOT, "%s %.3g → %.3g", e.name(), e.priorValue(), e.fittedValue()));
            } else {
                held.add(e.name());
            }
        }
        if (used > 0 && !fitted.isEmpty()) {
            s.append("; identified ").append(String.join(", ", fitted));
        }
        if (used > 0 && !held.isEmpty()) {
            s.append("; held at the prior ").append(String.join(", ", held));
        }
        return s.toString();
    }
}
