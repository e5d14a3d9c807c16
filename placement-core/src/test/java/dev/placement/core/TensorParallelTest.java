package dev.placement.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.Experts;
import dev.placement.api.GpuCatalog;
import dev.placement.api.GpuSpec;
import dev.placement.api.IntraNodeLink;
import dev.placement.api.LatentAttention;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.Objective;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.api.WeightQuantization;
import dev.placement.api.Workload;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tensor parallelism inside a stage: its terms, vLLM's rules for it, and the solver choosing its size. */
class TensorParallelTest {

    private static final PerformanceModel MODEL = PerformanceModel.defaults();
    private static final GpuSpec RTX_4090 = GpuCatalog.builtIn().get("RTX-4090", "test", "gpu");

    private static NodeSpec node(String id, GpuSpec gpu, int gpus) {
        return new NodeSpec(id, "10.0.0." + (10 + id.charAt(id.length() - 1) - '0'), gpu, gpus, Map.of());
    }

    private static PlacementRequest request(ModelSpec model, Workload workload, NodeSpec... nodes) {
        ConnectivityMap.Builder links = ConnectivityMap.builder();
        for (int i = 0; i < nodes.length; i++) {
            for (int j = i + 1; j < nodes.length; j++) {
                links.link(nodes[i].id(), nodes[j].id(), 0.4);
            }
        }
        return PlacementRequest.builder(model, new ClusterSnapshot(List.of(nodes)), links.build())
                .objective(Objective.minimizeItl()).workload(workload).maxModelLen(4096).build();
    }

    @Test
    void aTwoGpuNodeRunsItsStageOnBothWhenThatIsFasterAndTheRationaleSaysSo() {
        // Falcon3-10B's 20.6 GB do not fit one RTX 4090; two 2-GPU nodes and one 1-GPU node.
        PlacementRequest r = request(Fixtures.falcon(), new Workload(512, 128, 8), node("node0", RTX_4090, 2),
                node("node1", RTX_4090, 2), node("node2", RTX_4090, 1));

        PlacementSolver.Solution s = new PlacementSolver(MODEL).solve(r);

        Placement best = s.best().placement();
        assertThat(best.tensorParallelSize()).isEqualTo(2);
        assertThat(best.nodeIds()).doesNotContain("node2");
        // No placement with one GPU per stage comes close: it reads every weight at one GPU's bandwidth.
        PlacementRequest oneGpuEach = request(Fixtures.falcon(), new Workload(512, 128, 8),
                node("node0", RTX_4090, 1), node("node1", RTX_4090, 1), node("node2", RTX_4090, 1));
        double tp1 = new PlacementSolver(MODEL).solve(oneGpuEach).best().metrics().itlMillis();
        assertThat(s.best().metrics().itlMillis()).isLessThan(0.7 * tp1);
        assertThat(s.explanation()).contains("Each stage runs on 2 GPUs of its node (tensor parallelism 2")
                .contains("With tensor parallelism 1 the best would be")
                .contains("node2 was left out: node2 has 1 GPU, fewer than the 2 each stage runs on");
    }

    @Test
    void oneGpuPerStageWhenTheAllReducesCostMoreThanTheySave() {
        GpuSpec slowLink = RTX_4090.withIntraNodeLink(new IntraNodeLink(IntraNodeLink.Kind.PCIE, 4e9, 2000));
        PlacementRequest r = request(Fixtures.falcon(), new Workload(512, 128, 8), node("node0", slowLink, 2),
                node("node1", slowLink, 2));

        PlacementSolver.Solution s = new PlacementSolver(MODEL).solve(r);

        assertThat(s.best().placement().tensorParallelSize()).isEqualTo(1);
        assertThat(s.explanation()).contains("With tensor parallelism 2 the best would be node0:20,node1:20@tp2");
    }

    @Test
    void aStageOnTwoGpusReadsHalfItsWeightsEachAndPaysTwoAllReducesPerLayerAndTheLogitsGather() {
        IntraNodeLink link = IntraNodeLink.nvlink(50);
        GpuSpec gpu = RTX_4090.withIntraNodeLink(link);
        ModelSpec falcon = Fixtures.falcon();
        PlacementRequest r = request(falcon, new Workload(512, 128, 1), node("node0", gpu, 2));

        StageEstimate one = MODEL.predict(Placement.parse("node0:40"), r).stages().get(0);
        StageEstimate two = MODEL.predict(Placement.parse("node0:40@tp2"), r).stages().get(0);

        double alpha = link.allReduceLatencyMicros() / 1000.0;
        double msPerByte = 1000.0 / link.bandwidthBytesPerSecond();
        // at q = 1: a ring all-reduce among 2 moves 2·(2−1)/2 = 1 × the hidden state; the gather half the logits
        double allReduces = 40 * 2 * (alpha + msPerByte * falcon.hiddenSize() * 2);
        double gather = alpha + msPerByte / 2 * falcon.vocabSize() * 2;
        assertThat(two.decodeStepMillis()).isCloseTo(one.decodeStepMillis() / 2 + allReduces + gather,
                within(1e-9 * one.decodeStepMillis()));
        assertThat(two.budgetBytes()).isEqualTo(2 * one.budgetBytes());
        assertThat(two.reserveBytes()).isGreaterThan(one.reserveBytes());
        assertThat(two.weightBytes()).isEqualTo(one.weightBytes());
    }

    @Test
    void aPlacementAskingMoreGpusThanANodeHasDoesNotFitAndSaysWhich() {
        PlacementRequest r = request(Fixtures.falcon(), new Workload(512, 128, 8), node("node0", RTX_4090, 2),
                node("node1", RTX_4090, 1));

        Prediction p = MODEL.predict(Placement.parse("node0:20,node1:20@tp2"), r);

        assertThat(p.fits()).isFalse();
        assertThat(p.infeasibleReason()).isEqualTo("stage 1 cannot run on 2 GPUs: node1 has 1 GPU, fewer than the 2 "
                + "each stage runs on");
    }

    @Test
    void vllmsRulesDecideWhichSizesAModelSplitsInto() {
        ModelSpec falcon = Fixtures.falcon(); // 12 query heads, 4 KV heads
        assertThat(TensorParallel.modelRefuses(falcon, 2)).isNull();
        assertThat(TensorParallel.modelRefuses(falcon, 4)).isNull();
        assertThat(TensorParallel.modelRefuses(falcon, 8)).isEqualTo("its 12 attention heads do not divide over 8 GPUs");
        assertThat(TensorParallel.modelRefuses(falcon, 3)).isEqualTo("its 4 KV heads neither divide over 3 GPUs nor "
                + "divide 3");
        ModelSpec twelveKv = new ModelSpec("m", "llama", 4, 768, 3072, 12, 12, 64, 1000, 2048, 2, false, true);
        assertThat(TensorParallel.modelRefuses(twelveKv, 3)).isNull();
        assertThat(TensorParallel.modelRefuses(twelveKv, 6)).isNull();

        PlacementRequest r = request(falcon, new Workload(512, 128, 8), node("node0", RTX_4090, 8),
                node("node1", RTX_4090, 2));
        // 6 divides the 12 query heads but neither divides the 4 KV heads nor is a multiple of them
        assertThat(TensorParallel.sizes(r)).containsExactly(1, 2, 4);
        GpuSpec jetson = GpuCatalog.builtIn().get("Jetson-AGX-Orin-64GB", "test", "gpu");
        assertThat(TensorParallel.nodeRefuses(node("node0", jetson, 2), 2))
                .isEqualTo("node0's Jetson-AGX-Orin-64GB has no link to another GPU (one to a node)");
    }

    @Test
    void kvHeadsFewerThanTheGpusAreReplicatedAndLatentAttentionIsCachedWholeOnEach() {
        ModelSpec multiQuery = new ModelSpec("mqa", "llama", 4, 1024, 4096, 16, 1, 64, 1000, 8192, 2, false, true);
        ModelSpec grouped = new ModelSpec("gqa", "llama", 4, 1024, 4096, 16, 8, 64, 1000, 8192, 2, false, true);
        ModelSpec latent = new ModelSpec("mla", "deepseek_v2", 4, 1024, 4096, 16, 16, 64, 1000, 8192, 2, false,
                true, Experts.NONE, new LatentAttention(512, 64, 128, 64, 128), WeightQuantization.NONE, 2, 1024);
        assertThat(TensorParallel.kvReplication(multiQuery, 4)).isEqualTo(4);
        assertThat(TensorParallel.kvReplication(grouped, 4)).isEqualTo(1);
        assertThat(TensorParallel.kvReplication(grouped, 16)).isEqualTo(2);
        assertThat(TensorParallel.kvReplication(latent, 2)).isEqualTo(2);

        PlacementRequest r = request(multiQuery, new Workload(256, 64, 4), node("node0", RTX_4090, 2));
        PipelineCosts two = new PipelineCosts(r, MODEL.parameters(), 2);
        assertThat(two.kvBytesPerTokenPerLayer).isEqualTo(2 * multiQuery.kvCacheBytesPerTokenPerLayer());
    }
}
