package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.Placement;
import dev.placement.core.orchestrator.DecisionJournal;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code placement demo --scenario edge-site}: the replica demo, as a user runs it. */
class EdgeSiteDemoTest {
    private static final Pattern STEP = Pattern.compile("^\\s+(\\d+)\\s+(\\d+)\\s+(.+?)\\s{2,}(\\S.*?)\\s+(\\d+)\\s+"
            + "(\\S+)\\s+(\\S+)\\s+(\\d+) s$");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return CapturingCli.writingTo(out, err).execute(args);
    }

    /** A step's row and the replicas on the line below it. */
    private record Step(int step, String change, String did, int count, long held, List<Placement> replicas) {
    }

    private static List<Step> steps(String console) {
        List<Step> steps = new ArrayList<>();
        String[] lines = console.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            Matcher m = STEP.matcher(lines[i]);
            if (m.matches()) {
                List<Placement> replicas = new ArrayList<>();
                String below = lines[i + 1].trim().replaceAll("\\s+\\(unused: .*\\)$", "");
                for (String spec : below.split(" \\| ")) {
                    replicas.add(Placement.parse(spec));
                }
                steps.add(new Step(Integer.parseInt(m.group(1)), m.group(3), m.group(4),
                        Integer.parseInt(m.group(5)), Long.parseLong(m.group(8)), replicas));
            }
        }
        return steps;
    }

    @Test
    void theSiteRunsSeveralShortReplicasAndRollsThemOverWithoutHoldingRequests(@TempDir Path dir) throws IOException {
        assertThat(run("demo", "--scenario", "edge-site", "--out", dir.toString())).as(err.toString()).isZero();

        List<Step> steps = steps(out.toString());
        assertThat(steps).hasSize(6);
        for (Step s : steps) {
            assertThat(s.replicas()).as("step %d", s.step()).hasSize(s.count())
                    .allSatisfy(p -> assertThat(p.stages()).hasSizeBetween(2, 3));
        }
        assertThat(steps.get(0).count()).isGreaterThanOrEqualTo(3);
        assertThat(steps.get(0).did()).isEqualTo("reconfigured");
        assertThat(steps.get(0).held()).as("nothing serves before the first replica").isPositive();
        assertThat(steps.subList(1, steps.size())).allSatisfy(s -> assertThat(s.held()).isZero());
        assertThat(steps.get(1).replicas()).isNotEqualTo(steps.get(0).replicas()); // the congested switch moved
        assertThat(steps.get(3).change()).contains("switch 2 fails");
        assertThat(steps.get(3).replicas()).allSatisfy(p -> assertThat(p.nodeIds())
                .noneMatch(List.of("t4-8", "t4-9", "t4-10", "t4-11")::contains));
        assertThat(steps.get(5).replicas()).containsExactlyInAnyOrderElementsOf(steps.get(0).replicas());

        String report = Files.readString(dir.resolve("edge-site.md"));
        assertThat(report.lines().filter(l -> l.matches("^\\| \\d+ \\|.*"))).hasSize(6);
        for (Placement p : steps.get(2).replicas()) {
            assertThat(report).contains(p.toSpec());
        }
        assertThat(DecisionJournal.read(dir.resolve("journal.jsonl"))).isNotEmpty()
                .allSatisfy(e -> assertThat(e.agent()).isEqualTo("replica-planner"));
    }

    @Test
    void anAgentOrACalibrationIsRefusedInOneLine() {
        assertThat(run("demo", "--scenario", "edge-site", "--agent", "even"))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);

        assertThat(err.toString().strip()).doesNotContain("\n").contains("--agent")
                .contains("the replica planner");
    }
}
