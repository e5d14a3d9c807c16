package dev.placement.core;

import dev.placement.api.MetricsPredictor;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A performance model that keeps learning from measured runs: each {@link #observe observation} is kept (the
 * last {@value #KEPT_OBSERVATIONS}), the prior is recalibrated over all kept ones ({@link Calibration}), and
 * {@link #current()} becomes that calibration's model: the fit when it lowers the cross-validated error, else
 * the prior. Every refit starts from the original prior, so the current model never drifts on its own fits.
 *
 * <p>With a file ({@link #persistedIn}), a calibration file found there at start is read and its model becomes
 * the prior; the file is rewritten whenever a fit is adopted, and when a later calibration returns to the
 * prior, so it always holds the model {@link #current()} returns. Observations themselves are not persisted.
 *
 * <p>Thread-safe: {@link #current()}, {@link #get()} and {@link #predictMetrics} read one volatile field and
 * never wait; {@link #observe} is serialised. With 64 observations kept it runs 65 fits (the calibration and
 * its leave-one-out), a few hundred milliseconds on one core once the JIT has warmed up.
 */
public final class CalibratedModel implements MetricsPredictor, Supplier<PerformanceModel> {

    /** How many observations are kept; the oldest is dropped when one more arrives. */
    public static final int KEPT_OBSERVATIONS = 64;

    private final PerformanceModel prior;
    private final Path file;
    private final int capacity;
    private final ArrayDeque<Observation> kept = new ArrayDeque<>();
    private volatile PerformanceModel current;
    private volatile Calibration last;

    /** With a capacity other than {@link #KEPT_OBSERVATIONS}: for tests of the bound. */
    CalibratedModel(PerformanceModel prior, Path file, int capacity) {
        this.prior = prior;
        this.file = file;
        this.capacity = capacity;
        this.current = prior;
    }

    /**
     * A model that starts at {@code prior} and keeps nothing on disk.
     *
     * @param prior the model to start from and to calibrate; not null
     * @return the model
     */
    public static CalibratedModel startingFrom(PerformanceModel prior) {
        return new CalibratedModel(Objects.requireNonNull(prior, "prior"), null, KEPT_OBSERVATIONS);
    }

    /**
     * A model kept in a calibration file: if the file exists its model ({@link Calibration#readModel}) is the
     * prior, else {@code priorIfAbsent} is; the file is written as described in the class description.
     *
     * @param file          the calibration file; not null; its directory must exist when a fit is adopted
     * @param priorIfAbsent the prior when there is no file yet; not null
     * @return the model
     * @throws dev.placement.api.InvalidInputException if the file exists but is not a valid calibration file
     *         (naming the file, field and value)
     */
    public static CalibratedModel persistedIn(Path file, PerformanceModel priorIfAbsent) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(priorIfAbsent, "priorIfAbsent");
        PerformanceModel prior = Files.exists(file) ? Calibration.readModel(file) : priorIfAbsent;
        return new CalibratedModel(prior, file, KEPT_OBSERVATIONS);
    }

    /** @return the model to decide with now; never null */
    public PerformanceModel current() {
        return current;
    }

    /** @return {@link #current()}, for callers that take a {@code Supplier<PerformanceModel>} */
    @Override
    public PerformanceModel get() {
        return current;
    }

    /** @return the prior every refit starts from: the given one, or the file's model when one was read */
    public PerformanceModel prior() {
        return prior;
    }

    /** @return the calibration file, if this model keeps one */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** @return the calibration of the latest observation, empty before the first */
    public Optional<Calibration> lastCalibration() {
        return Optional.ofNullable(last);
    }

    /**
     * Adds a measured run, recalibrates the prior over every kept observation and adopts the result: the fit if
     * it lowers the cross-validated error, else the prior. Writes the file (if any) when the model changed to an
     * adopted fit or back to the prior.
     *
     * @param observation a placement that ran and what was measured; not null
     * @return the calibration, whose {@link Calibration#model()} is now {@link #current()}
     * @throws IllegalArgumentException if the observation's placement does not belong to its request
     * @throws UncheckedIOException     if the file cannot be written; the new model is adopted all the same
     */
    public synchronized Calibration observe(Observation observation) {
        Objects.requireNonNull(observation, "observation");
        prior.predict(observation.placement(), observation.request());
        kept.addLast(observation);
        if (kept.size() > capacity) {
            kept.removeFirst();
        }
        Calibration c = prior.calibrate(List.copyOf(kept));
        PerformanceModel before = current;
        last = c;
        current = c.model();
        if (file != null && (c.adopted() || !current.equals(before))) {
            try {
                c.write(file);
            } catch (IOException e) {
                throw new UncheckedIOException("could not write the calibration file " + file, e);
            }
        }
        return c;
    }

    /** @return the kept observations, oldest first; a copy */
    public synchronized List<Observation> observations() {
        return List.copyOf(kept);
    }

    /**
     * Predicts a placement's metrics with {@link #current()}; see {@link PerformanceModel#predictMetrics}.
     *
     * @param placement the placement; not null
     * @param request   the model, cluster, connectivity map and workload; not null
     * @return the predicted metrics
     * @throws dev.placement.api.InfeasiblePlacementException if the placement does not fit
     * @throws IllegalArgumentException                      if the placement does not belong to the request
     */
    @Override
    public PipelineMetrics predictMetrics(Placement placement, PlacementRequest request) {
        return current.predictMetrics(placement, request);
    }

    @Override
    public String toString() {
        return "CalibratedModel[" + current + "]";
    }
}
