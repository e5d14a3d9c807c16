package dev.placement.core.orchestrator;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.Objective;
import dev.placement.api.PipelineMetrics;
import dev.placement.api.Placement;
import dev.placement.api.PlacementDecision;
import dev.placement.api.PlacementException;
import dev.placement.api.PlacementHistory;
import dev.placement.api.PlacementOutcome;
import dev.placement.api.Workload;
import dev.placement.core.Calibration;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The orchestrator's record of every decision, as JSON lines: what it saw (nodes, smoothed links, objective,
 * workload), what the agent proposed and predicted, whether it was applied and why, and — in a later line —
 * the metrics measured once it ran. It is the audit trail and the LLM agent's memory: as a
 * {@link PlacementHistory} it hands the placements that ran and their measured metrics to the prompt.
 * Each {@link Entry} is made of a few named parts: what the agent was given ({@link Entry.Context}), its
 * decision, what the orchestrator did ({@link Entry.Result}) and what was measured next
 * ({@link Entry.Measurement}).
 *
 * <p>Two kinds of line, each one JSON object:
 * <pre>
 * {"kind":"decision","id":3,"at":"…","triggers":["LINK_CHANGED"],"nodes":[…],"unreachable":[…],
 *  "rttMillis":{"node0":{"node1":2.3},…},"objective":{"goal":"itl",…},"workload":{…},"agent":"solver",
 *  "proposed":"node0:20,node1:20","layerPartition":"20,20","rationale":"…","predicted":{…},
 *  "running":"node0:13,node1:14,node2:13","runningPredicted":{…},"action":"RECONFIGURED","applied":true,
 *  "reason":"…","restartSeconds":61.2}
 * {"kind":"measured","decision":3,"at":"…","placement":"node0:20,node1:20","measured":{"ttftMillis":…}}
 * </pre>
 * Metrics objects hold {@code ttftMillis}, {@code itlMillis}, {@code tpotMillis}, {@code outputTokensPerSecond}.
 *
 * <p>Thread-safe: every method is synchronized. A file journal appends and flushes each line, so a crash
 * loses at most the line being written, and {@link #openFile(Path)} reads earlier lines back as history.
 */
public final class DecisionJournal implements PlacementHistory, AutoCloseable {
    private final Path file;
    private final BufferedWriter writer;
    private final List<Entry> entries = new ArrayList<>();
    private final List<Learnt> calibrations = new ArrayList<>();
    private long nextId = 1;

    private DecisionJournal(Path file, BufferedWriter writer) {
        this.file = file;
        this.writer = writer;
    }

    /** @return a journal kept in memory only, for tests and short-lived runs */
    public static DecisionJournal inMemory() {
        return new DecisionJournal(null, null);
    }

    /**
     * Opens a journal file for appending, reading the entries it already holds as history.
     *
     * @param file the JSON-lines file; created (with its parent directories) if absent
     * @return the journal; close it to release the file
     * @throws InvalidInputException if an existing line is not a journal line (the message names the line)
     * @throws PlacementException    if the file cannot be read or opened
     */
    public static DecisionJournal openFile(Path file) {
        Objects.requireNonNull(file, "file");
        List<Entry> existing = new ArrayList<>();
        List<Learnt> learnt = new ArrayList<>();
        if (Files.exists(file)) {
            load(file, existing, learnt);
        }
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            DecisionJournal journal = new DecisionJournal(file, w);
            journal.entries.addAll(existing);
            journal.calibrations.addAll(learnt);
            journal.nextId = existing.stream().mapToLong(Entry::id).max().orElse(0) + 1;
            return journal;
        } catch (IOException e) {
            throw new PlacementException("cannot open the decision journal " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a journal file.
     *
     * @param file a file written by a {@code DecisionJournal}
     * @return its decisions in order, each with the first metrics measured after it, if any
     * @throws InvalidInputException naming the file and line if a line is not a journal line
     * @throws PlacementException    if the file cannot be read
     */
    public static List<Entry> read(Path file) {
        List<Entry> out = new ArrayList<>();
        load(file, out, new ArrayList<>());
        return out;
    }

    private static void load(Path file, List<Entry> out, List<Learnt> learnt) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PlacementException("cannot read the decision journal " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + (i + 1);
            try {
                JournalLines.readInto(line, out, learnt);
            } catch (JsonProcessingException e) {
                throw new InvalidInputException(file.toString(), where, "not a JSON object: "
                        + e.getOriginalMessage());
            } catch (RuntimeException e) {
                throw new InvalidInputException(file.toString(), where, "not a decision-journal line: "
                        + e.getMessage());
            }
        }
    }

    /** @return every decision so far (including those read from the file), oldest first */
    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    /**
     * The placements that ran and what was measured while they ran, oldest first: the LLM agent's few-shot
     * history.
     *
     * @return one outcome per decision after which metrics were measured
     */
    @Override
    public synchronized List<PlacementOutcome> outcomes() {
        List<PlacementOutcome> out = new ArrayList<>();
        for (Entry e : entries) {
            Entry.Measurement m = e.measurement();
            if (m != null) {
                out.add(new PlacementOutcome(m.placement(), m.metrics(), e.context().connectivity(), m.at()));
            }
        }
        return out;
    }

    /** Appends a decision line and returns the entry with its (new) id; the draft's id is ignored. */
    synchronized Entry recordDecision(Entry draft) {
        Entry entry = draft.withId(nextId++);
        entries.add(entry);
        write(JournalLines.decision(entry));
        return entry;
    }

    /** Appends the first measurement after a decision; later ones for the same decision are ignored. */
    synchronized void recordMeasured(long decisionId, Placement placement, PipelineMetrics measured, Instant at) {
        for (int k = entries.size() - 1; k >= 0; k--) {
            Entry e = entries.get(k);
            if (e.id() == decisionId) {
                if (e.measurement() != null) {
                    return;
                }
                Entry.Measurement m = new Entry.Measurement(placement, measured, at);
                entries.set(k, e.withMeasurement(m));
                write(JournalLines.measured(decisionId, m));
                return;
            }
        }
    }

    /**
     * Appends a calibration line: the loop learnt from a measured run.
     *
     * @param at          when
     * @param placement   the placement of the run
     * @param calibration the calibration it gave
     */
    synchronized void recordCalibration(Instant at, Placement placement, Calibration calibration) {
        Learnt l = Learnt.of(at, placement, calibration);
        calibrations.add(l);
        write(JournalLines.calibration(l));
    }

    /** @return every calibration so far (including those read from the file), oldest first */
    public synchronized List<Learnt> calibrations() {
        return List.copyOf(calibrations);
    }

    /** Flushes and closes the file, if any. Entries stay readable. */
    @Override
    public synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new PlacementException("cannot close the decision journal " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private void write(String line) {
        if (writer == null) {
            return;
        }
        try {
            writer.write(line);
            writer.newLine();
            writer.flush();
        } catch (IOException e) {
            throw new PlacementException("cannot write the decision journal " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * What the loop learnt from one measured run: a {@code calibration} line.
     *
     * @param at           when
     * @param placement    the placement of the run learnt from
     * @param observations how many measured runs the calibration used
     * @param adopted      whether the fit was adopted (it lowered the cross-validated error)
     * @param priorCvError the prior's mean |log(predicted/measured)|, or NaN if no run could be used
     * @param fitCvError   the fit's leave-one-out mean |log(predicted/measured)|, or NaN likewise
     * @param parameters   each fitted parameter's value in the model used from then on, by name
     * @param summary      the calibration's one line for people
     */
    public record Learnt(Instant at, Placement placement, int observations, boolean adopted, double priorCvError,
            double fitCvError, Map<String, Double> parameters, String summary) {

        /**
         * Validates and copies.
         *
         * @param at           when; not null
         * @param placement    the placement of the run learnt from; not null
         * @param observations how many measured runs the calibration used; not checked
         * @param adopted      whether the fit was adopted
         * @param priorCvError the prior's mean |log(predicted/measured)|, or NaN; not checked
         * @param fitCvError   the fit's leave-one-out mean |log(predicted/measured)|, or NaN; not checked
         * @param parameters   each parameter's value by name; not null; copied, order kept, unmodifiable
         * @param summary      the calibration's one line for people; not null
         */
        public Learnt {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(placement, "placement");
            parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
            Objects.requireNonNull(summary, "summary");
        }

        static Learnt of(Instant at, Placement placement, Calibration c) {
            Map<String, Double> values = new java.util.LinkedHashMap<>();
            c.estimates().forEach(e -> values.put(e.name(), c.adopted() ? e.fittedValue() : e.priorValue()));
            return new Learnt(at, placement, c.observationCount(), c.adopted(), c.priorCvError(), c.fitCvError(),
                    values, c.summary());
        }
    }

    /**
     * One decision and what followed.
     *
     * @param id          numbered from 1 within a journal file
     * @param at          when the agent was asked, by the orchestrator's clock
     * @param triggers    why it was asked
     * @param context     what it was given, and what ran when it decided
     * @param agent       the name of the agent that decided (or failed to)
     * @param decision    its decision, with its rationale, prediction and any advisory (LLM) proposal, or
     *                    {@code null} if it found none or failed
     * @param result      what the orchestrator did with it
     * @param measurement the first metrics measured after it, or {@code null}
     */
    public record Entry(long id, Instant at, Set<Trigger> triggers, Context context, String agent,
            PlacementDecision decision, Result result, Measurement measurement) {

        /**
         * Validates the required fields and copies the triggers.
         *
         * @param id          numbered from 1 within a journal file (0 in a draft); not checked
         * @param at          when the agent was asked; not null
         * @param triggers    why it was asked; not null, no null element; copied
         * @param context     what it was given; not null
         * @param agent       the name of the agent that decided (or failed to); not null
         * @param decision    its decision, or {@code null} if it found none or failed
         * @param result      what the orchestrator did with it; not null
         * @param measurement the first metrics measured after it, or {@code null}
         */
        public Entry {
            Objects.requireNonNull(at, "at");
            triggers = Set.copyOf(triggers);
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(result, "result");
        }

        /**
         * What the agent was given, and what ran when it decided.
         *
         * @param nodes            the reachable nodes it was given
         * @param connectivity     the smoothed links it was given
         * @param objective        the objective
         * @param workload         the workload
         * @param running          the placement running when it decided, or {@code null}
         * @param runningPredicted the prediction for that running placement on the same links, or {@code null}
         */
        public record Context(List<String> nodes, ConnectivityMap connectivity, Objective objective,
                Workload workload, Placement running, PipelineMetrics runningPredicted) {

            /**
             * Validates the required fields and copies the list.
             *
             * @param nodes            the reachable nodes it was given; not null, no null element; copied
             * @param connectivity     the smoothed links it was given; not null
             * @param objective        the objective; not null
             * @param workload         the workload; not null
             * @param running          the placement running when it decided, or {@code null}
             * @param runningPredicted the prediction for that running placement, or {@code null}
             */
            public Context {
                nodes = List.copyOf(nodes);
                Objects.requireNonNull(connectivity, "connectivity");
                Objects.requireNonNull(objective, "objective");
                Objects.requireNonNull(workload, "workload");
            }
        }

        /**
         * What the orchestrator did with a decision.
         *
         * @param action         what it did
         * @param applied        whether the proposed placement was launched and runs
         * @param reason         why it was or was not applied
         * @param restartSeconds how long the restart took if one happened, or {@code null}
         */
        public record Result(TickOutcome.Action action, boolean applied, String reason, Double restartSeconds) {

            /**
             * Validates the required fields.
             *
             * @param action         what it did; not null
             * @param applied        whether the proposed placement was launched and runs
             * @param reason         why it was or was not applied; not null
             * @param restartSeconds how long the restart took, in s, or {@code null} if none happened; not checked
             */
            public Result {
                Objects.requireNonNull(action, "action");
                Objects.requireNonNull(reason, "reason");
            }
        }

        /**
         * The first metrics measured after a decision.
         *
         * @param placement the placement that ran when they were measured
         * @param metrics   what was measured
         * @param at        when
         */
        public record Measurement(Placement placement, PipelineMetrics metrics, Instant at) {

            /**
             * Validates every field.
             *
             * @param placement the placement that ran when they were measured; not null
             * @param metrics   what was measured; not null
             * @param at        when; not null
             */
            public Measurement {
                Objects.requireNonNull(placement, "placement");
                Objects.requireNonNull(metrics, "metrics");
                Objects.requireNonNull(at, "at");
            }
        }

        Entry withId(long newId) {
            return new Entry(newId, at, triggers, context, agent, decision, result, measurement);
        }

        Entry withMeasurement(Measurement m) {
            return new Entry(id, at, triggers, context, agent, decision, result, m);
        }
    }
}
