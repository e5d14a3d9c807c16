package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.GpuCatalog;
import dev.placement.api.InvalidInputException;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationFileTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A calibration on T4s and an A10, so the file holds efficiencies per GPU kind. */
    private static Calibration mixedCalibration() {
        var mixed = new ClusterSnapshot(List.of(new NodeSpec("node0", "h0", Fixtures.t4()),
                new NodeSpec("node1", "h1", GpuCatalog.builtIn().get("A10", "test", "gpu")),
                new NodeSpec("node2", "h2", Fixtures.t4())));
        PerformanceModel truth = new PerformanceModel(SyntheticRuns.TRUTH);
        List<Observation> runs = new ArrayList<>();
        for (double added : new double[] {0, 3, 8}) {
            for (String spec : new String[] {"node0:20,node1:20", "node0:13,node1:14,node2:13"}) {
                PlacementRequest r = PlacementRequest.builder(Fixtures.falcon(), mixed,
                        Fixtures.testbed(0.4, added, added)).workload(new Workload(512, 128, 8)).maxModelLen(4096)
                        .objective(Objective.minimizeItl()).build();
                runs.add(SyntheticRuns.run(truth, spec, r, null, 0));
            }
        }
        return PerformanceModel.defaults().calibrate(runs);
    }

    @Test
    void roundTripKeepsEveryField() throws IOException {
        Calibration c = mixedCalibration();
        assertThat(c.adopted()).isTrue();
        assertThat(c.fitted().parameters().gpuEfficiencies()).containsKeys("A10", "T4");
        Path file = dir.resolve("calibration.json");
        c.write(file);
        assertThat(Calibration.read(file)).isEqualTo(c);
        assertThat(Calibration.readModel(file)).isEqualTo(c.fitted());
        assertThat(Files.list(dir)).containsExactly(file);
    }

    @Test
    void aCalibrationThatUsedNothingRoundTripsWithoutErrorsAndGivesThePrior() throws IOException {
        PlacementRequest r = SyntheticRuns.testbed(0, 0, new Workload(512, 128, 8));
        PerformanceModel prior = new PerformanceModel(PerformanceModel.Parameters.defaults().withTpotPerItl(1.1));
        Observation ran = SyntheticRuns.run(prior, "node0:20,node1:20", r, null, 0);
        Calibration c = prior.calibrate(List.of(new Observation(Placement.parse("node0:40"), r, ran.measured())));
        assertThat(c.priorCvError()).isNaN();
        Path file = dir.resolve("c.json");
        c.write(file);
        assertThat(Files.readString(file)).contains("\"priorCvError\" : null");
        assertThat(Calibration.read(file)).isEqualTo(c);
        assertThat(Calibration.readModel(file)).isEqualTo(prior);
    }

    private Path edited(Consumer<ObjectNode> edit) throws IOException {
        Path file = dir.resolve("edited.json");
        mixedCalibration().write(file);
        ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
        edit.accept(root);
        Files.writeString(file, JSON.writeValueAsString(root));
        return file;
    }

    private static void rejects(Path file, String field, String... words) {
        assertThatThrownBy(() -> Calibration.readModel(file)).isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo(field))
                .hasMessageStartingWith(file + ": " + (field == null ? "" : field + ": "))
                .hasMessageContainingAll(words);
    }

    @Test
    void aValueOutOfRangeNamesFileFieldAndValue() throws IOException {
        rejects(edited(r -> ((ObjectNode) r.get("fitted")).put("latencyCrossingFactor", -1.5)),
                "fitted.latencyCrossingFactor", "-1.5", ">= 0");
        rejects(edited(r -> ((ObjectNode) r.get("prior")).put("tpotPerItl", 0)), "prior.tpotPerItl", "was 0");
        rejects(edited(r -> ((ObjectNode) r.get("fitted").get("gpuEfficiencies").get("A10"))
                .put("computeEfficiency", 1.5)), "fitted.gpuEfficiencies.A10.computeEfficiency", "1.5", "(0, 1]");
        rejects(edited(r -> ((ObjectNode) r.get("prior")).put("maxNumSeqs", "many")), "prior.maxNumSeqs",
                "must be a number", "\"many\"");
        rejects(edited(r -> ((ObjectNode) r.get("prior")).put("maxNumSeqs", 2.5)), "prior.maxNumSeqs",
                "whole number", "2.5");
        rejects(edited(r -> ((ObjectNode) r.withArray("estimates").get(0)).put("fitted", 7.0).put("identified", true)),
                "estimates[0]", "7.0", "outside");
        rejects(edited(r -> r.put("fitCvError", -0.1)), "fitCvError", "-0.1");
        rejects(edited(r -> r.put("format", "placement-calibration/9")), "format", "placement-calibration/9");
    }

    @Test
    void aMissingOrUnknownFieldIsNamed() throws IOException {
        rejects(edited(r -> ((ObjectNode) r.get("fitted")).remove("stepOverheadMillis")),
                "fitted.stepOverheadMillis", "missing");
        rejects(edited(r -> ((ObjectNode) r.get("fitted")).put("crossingFactor", 3)), "fitted.crossingFactor",
                "unknown field", "latencyCrossingFactor");
        rejects(edited(r -> r.remove("adopted")), "adopted", "missing");
    }

    @Test
    void aFileThatIsNotACalibrationFileSaysWhy() throws IOException {
        rejects(dir.resolve("absent.json"), null, "file not found");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"format\": \"placement-calibration/1\",\n \"adopted\": tru }");
        rejects(broken, null, "syntax error", "line 2");
        Path list = dir.resolve("list.json");
        Files.writeString(list, "[1, 2]");
        rejects(list, null, "must be a mapping", "[1,2]");
        Path huge = dir.resolve("huge.json");
        Files.write(huge, new byte[CalibrationFile.MAX_BYTES + 1]);
        rejects(huge, null, "larger than 1048576 bytes");
    }
}
