package dev.placement.cli;

import dev.placement.api.InvalidInputException;
import dev.placement.core.Calibration;
import dev.placement.core.Observation;
import dev.placement.core.PerformanceModel;
import dev.placement.core.input.ClusterFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement calibrate}: fits the performance model to measured runs and writes the calibration file that
 * {@code plan} and {@code predict} read with {@code --calibration}. Not thread-safe (picocli fills it once per run).
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "Fit the performance model to measured runs and write a calibration file.",
        description = {
            "Fits the performance model to measured runs: its efficiencies, latency",
            "crossing factor, step overhead and TPOT/ITL ratio. The runs are one JSON",
            "object per line (see the README, or write them with 'placement bench --record').",
            "A parameter the runs do not identify keeps the prior's value; the fit is",
            "adopted only if it predicts held-out runs better than the prior (leave-one-out",
            "cross-validation). Prints the parameters before and after and writes the",
            "calibration file, which plan and predict read with --calibration."},
        footer = {"", "Example:",
            "  placement calibrate --observations runs.jsonl --out calibration.json",
            "  placement plan --cluster cluster.yaml --connectivity links.yaml \\",
            "      --model tiiuae/Falcon3-10B-Base --calibration calibration.json",
            "", "Exit codes: 0 calibrated (adopted or not), 2 bad input, 1 the file cannot be written."})
final class CalibrateCommand implements Callable<Integer> {

    @Option(names = "--observations", paramLabel = "FILE", required = true,
            description = "The measured runs, one JSON object per line: cluster, connectivity, model, placement, "
                    + "optional maxModelLen and workload, and measured (vllm bench serve's keys).")
    Path observations;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "Where to write the calibration file (replaced whole; may be the --calibration file).")
    Path out;

    @Option(names = "--calibration", paramLabel = "PRIOR.json",
            description = "Start from the model this calibration file adopted (default: the built-in defaults).")
    Path prior;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (for a person, the default) or json (one object on stdout).")
    String format;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        boolean json = PlanningOptions.json(format);
        checkOut();
        PerformanceModel model = PlanningOptions.performanceModel(prior);
        List<Observation> runs = ClusterFiles.readObservations(observations);
        Calibration calibration = model.calibrate(runs);
        try {
            calibration.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        Map<String, Object> result = json(calibration, runs.size());
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            PlacementOutput.printJson(w, result);
        } else {
            printTable(w, result);
        }
        return 0;
    }

    /** Fails before the fit, not after it, when the result could not be written. */
    private void checkOut() {
        Path folder = out.toAbsolutePath().getParent();
        if (Files.isDirectory(out)) {
            throw new InvalidInputException("--out", null, "'" + out + "' is a directory; give a file name such as "
                    + "calibration.json");
        }
        if (folder == null || !Files.isDirectory(folder)) {
            throw new InvalidInputException("--out", null, "the folder of '" + out + "' does not exist");
        }
    }

    private Map<String, Object> json(Calibration c, int lines) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("observations", observations.toString());
        m.put("prior", prior == null ? "defaults" : prior.toString());
        m.put("observationCount", c.observationCount());
        m.put("ignored", lines - c.observationCount());
        m.put("adopted", c.adopted());
        m.put("priorCvError", Double.isNaN(c.priorCvError()) ? null : c.priorCvError());
        m.put("fitCvError", Double.isNaN(c.fitCvError()) ? null : c.fitCvError());
        List<Map<String, Object>> parameters = new ArrayList<>();
        for (Calibration.Estimate e : c.estimates()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", e.name());
            p.put("prior", e.priorValue());
            p.put("fitted", e.fittedValue());
            p.put("lower", e.lowerBound());
            p.put("upper", e.upperBound());
            p.put("identified", e.identified());
            parameters.add(p);
        }
        m.put("parameters", parameters);
        m.put("summary", c.summary());
        m.put("out", out.toString());
        return m;
    }

    private static void printTable(PrintWriter w, Map<String, Object> c) {
        int used = (Integer) c.get("observationCount");
        int ignored = (Integer) c.get("ignored");
        boolean adopted = Boolean.TRUE.equals(c.get("adopted"));
        w.printf(Locale.ROOT, "%-13s %d used from %s%s%n", "observations", used, c.get("observations"),
                ignored == 0 ? "" : " (" + ignored + " ignored: the placement does not fit, or nothing measured)");
        w.printf(Locale.ROOT, "%-13s %s%n", "prior", "defaults".equals(c.get("prior")) ? "the built-in defaults"
                : "the model adopted in " + c.get("prior"));
        w.printf(Locale.ROOT, "%-13s %s%n", "adopted", adopted ? "yes, the fit predicts held-out runs better"
                : "no, the prior is kept");
        w.printf(Locale.ROOT, "%-13s prior %s, fit %s (cross-validated mean |log(predicted/measured)|)%n",
                "error", error(c.get("priorCvError")), error(c.get("fitCvError")));
        w.println();
        w.printf(Locale.ROOT, "%-34s %10s %10s  %-16s %s%n", "parameter", "prior", "fitted", "range", "identified");
        for (Object o : (List<?>) c.get("parameters")) {
            Map<?, ?> p = (Map<?, ?>) o;
            boolean identified = Boolean.TRUE.equals(p.get("identified"));
            w.printf(Locale.ROOT, "%-34s %10.4g %10.4g  %-16s %s%n", p.get("name"), p.get("prior"), p.get("fitted"),
                    "[" + plain(p.get("lower")) + ", " + plain(p.get("upper")) + "]",
                    identified ? "yes" : "no (kept at the prior)");
        }
        w.println();
        w.println(c.get("summary"));
        w.printf(Locale.ROOT, "wrote %s: --calibration %s predicts with the %s%n", c.get("out"), c.get("out"),
                adopted ? "fit" : "prior");
        w.flush();
    }

    /** A range end as a person writes it: 0.05, 1, 50. */
    private static String plain(Object value) {
        return BigDecimal.valueOf((Double) value).stripTrailingZeros().toPlainString();
    }

    /** The error as stored and as the rough percentage a person reads it as. */
    private static String error(Object value) {
        if (!(value instanceof Double d)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.3f (≈ %.1f%%)", d, (Math.exp(d) - 1) * 100);
    }
}
