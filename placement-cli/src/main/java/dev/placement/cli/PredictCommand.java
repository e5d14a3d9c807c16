package dev.placement.cli;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code placement predict}: predicts the metrics of a placement given by hand, with the memory, time and
 * link terms of the performance model per stage and per link.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "Predict TTFT, ITL, TPOT and throughput of a placement you give.",
        description = {
            "Predicts TTFT, ITL, TPOT and output throughput of a placement you give",
            "(node:layers, rank 0 first), with each stage's memory (weights, reserve,",
            "KV cache) and time, and each link's cost per crossing."},
        footer = {"", "Example:",
            "  placement predict --cluster examples/config/cluster-3xT4.yaml \\",
            "      --connectivity examples/config/connectivity-fast.yaml \\",
            "      --model tiiuae/Falcon3-10B-Base --placement node0:13,node1:14,node2:13",
            "", "Exit codes: 0 it fits, 2 bad input, 3 it does not fit (the reason on stderr)."})
final class PredictCommand implements Callable<Integer> {

    @Mixin
    PlanningOptions inputs = new PlanningOptions();

    @Option(names = "--placement", paramLabel = "NODE:LAYERS,...", required = true,
            description = "The placement, rank 0 first, e.g. node0:20,node1:20; @tpN after it runs each stage on "
                    + "N GPUs of its node (node0:20,node1:20@tp2).")
    String placement;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PlacementRequest request = inputs.request(Objective.minimizeItl().withSlo(inputs.slo()), null);
        Placement p = PlanningOptions.placement(placement, request.cluster(), inputs.cluster, request.model());
        Prediction prediction = inputs.performanceModel().predict(p, request);
        if (!prediction.fits()) {
            throw new InfeasiblePlacementException(p.toSpec() + " does not fit: " + prediction.infeasibleReason());
        }
        List<String> excluded = new ArrayList<>();
        for (String id : request.cluster().nodeIds()) {
            if (!p.uses(id)) {
                excluded.add(id);
            }
        }
        Map<String, Object> out = PlacementOutput.predictJson(request.model().name(), prediction, excluded,
                request.objective().slo());
        if (inputs.json()) {
            PlacementOutput.printJson(spec.commandLine().getOut(), out);
        } else {
            PlacementOutput.printPredictTable(spec.commandLine().getOut(), out);
        }
        return 0;
    }
}
