package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.Placement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the shipped Python launcher with {@code python3 --dry-run}; Ray is never imported. */
class LauncherScriptDryRunTest {

    @TempDir
    static Path dir;
    static Path script;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void writeScript() {
        assumeTrue(python3Available(), "python3 is not installed");
        script = LauncherScript.writeTo(dir);
    }

    @Test
    void dryRunOfTwoStagePlanPrintsBundlesPinnedToNode0ThenNode1() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults());

        Run run = run("--plan-b64", plan.encodedLauncherInput(), "--dry-run");

        assertThat(run.exit).as(run.stderr).isZero();
        JsonNode out = json.readTree(run.stdout);
        assertThat(out.get("pipeline_parallel_size").asInt()).isEqualTo(2);
        assertThat(out.at("/bundles/0/node:10.0.0.10").asDouble()).isEqualTo(0.001);
        assertThat(out.at("/bundles/1/node:10.0.0.11").asDouble()).isEqualTo(0.001);
        assertThat(out.at("/bundles/1/GPU").asInt()).isEqualTo(1);
        assertThat(out.at("/env/VLLM_PP_LAYER_PARTITION").asText()).isEqualTo("20,20");
        assertThat(out.at("/env/VLLM_RAY_BUNDLE_INDICES").asText()).isEqualTo("0,1");
        assertThat(out.at("/env/VLLM_USE_RAY_V2_EXECUTOR_BACKEND").asText()).isEqualTo("1");
        assertThat(strings(out.get("command"))).isEqualTo(plan.serverCommand());
    }

    @Test
    void dryRunOfThreeStagePlanKeepsThePlacementOrder() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node2:13,node0:14,node1:13"),
                TestClusters.request(TestClusters.nodes(3)), VllmOptions.builder().dtype("half").build());

        Run run = run("--plan-b64", plan.encodedLauncherInput(), "--dry-run");

        assertThat(run.exit).as(run.stderr).isZero();
        JsonNode out = json.readTree(run.stdout);
        assertThat(strings(out.get("nodes"))).containsExactly("node2", "node0", "node1");
        assertThat(out.at("/bundles/0").fieldNames()).toIterable().containsExactly("GPU", "node:10.0.0.12");
        assertThat(out.at("/bundles/2").fieldNames()).toIterable().containsExactly("GPU", "node:10.0.0.11");
        assertThat(out.at("/env/VLLM_PP_LAYER_PARTITION").asText()).isEqualTo("13,14,13");
        assertThat(out.at("/env/VLLM_RAY_BUNDLE_INDICES").asText()).isEqualTo("0,1,2");
        assertThat(strings(out.get("command"))).containsSubsequence("--pipeline-parallel-size", "3");
    }

    @Test
    void planCanArriveThroughTheEnvironment() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults());

        Run run = runWithEnv(Map.of("PLACEMENT_VLLM_PLAN_B64", plan.encodedLauncherInput()), "--dry-run");

        assertThat(run.exit).as(run.stderr).isZero();
        assertThat(json.readTree(run.stdout).at("/env/VLLM_PP_LAYER_PARTITION").asText()).isEqualTo("20,20");
    }

    @Test
    void scriptRejectsInjectionThroughNodeAddressModelOrNodeId() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults());
        // The Java side refuses these values, so forge the plan directly: the script must refuse them too.
        for (String[] forged : List.of(
                new String[] {"/stages/1/node_ip", "10.0.0.11; touch /tmp/pwned"},
                new String[] {"/stages/0/node_id", "node0$(id)"},
                new String[] {"/model", "tiiuae/Falcon3`reboot`"},
                new String[] {"/model", "/models/../../etc/passwd"},
                new String[] {"/served_model_name", "x y"})) {
            JsonNode in = json.valueToTree(plan.launcherInput());
            String parent = forged[0].substring(0, forged[0].lastIndexOf('/'));
            String field = forged[0].substring(forged[0].lastIndexOf('/') + 1);
            ((com.fasterxml.jackson.databind.node.ObjectNode) (parent.isEmpty() ? in : in.at(parent)))
                    .put(field, forged[1]);
            String encoded = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(json.writeValueAsBytes(in));

            Run run = run("--plan-b64", encoded, "--dry-run");

            assertThat(run.exit).as(forged[0]).isEqualTo(2);
            assertThat(run.stderr).contains("invalid plan").contains(field);
            assertThat(run.stdout).isEmpty();
        }
    }

    @Test
    void scriptRejectsAPartitionThatContradictsTheStages() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults());
        JsonNode in = json.valueToTree(plan.launcherInput());
        ((com.fasterxml.jackson.databind.node.ObjectNode) in.get("env")).put("VLLM_PP_LAYER_PARTITION", "30,10");

        Run run = run("--plan-b64", Base64.getUrlEncoder().encodeToString(json.writeValueAsBytes(in)), "--dry-run");

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.stderr).contains("VLLM_PP_LAYER_PARTITION");
    }

    @Test
    void scriptRejectsATensorParallelSizeTheServerArgumentsContradict() throws Exception {
        VllmLaunchPlan plan = VllmLaunchPlan.create(Placement.parse("node0:20,node1:20"),
                TestClusters.request(TestClusters.nodes(2)), VllmOptions.defaults());
        JsonNode in = json.valueToTree(plan.launcherInput());
        ((com.fasterxml.jackson.databind.node.ObjectNode) in).put("tensor_parallel_size", 2);

        Run run = run("--plan-b64", Base64.getUrlEncoder().encodeToString(json.writeValueAsBytes(in)), "--dry-run");

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.stderr).contains("args: --tensor-parallel-size 1 does not match tensor_parallel_size 2");
        ((com.fasterxml.jackson.databind.node.ObjectNode) in).put("tensor_parallel_size", "2");
        run = run("--plan-b64", Base64.getUrlEncoder().encodeToString(json.writeValueAsBytes(in)), "--dry-run");
        assertThat(run.stderr).contains("tensor_parallel_size: '2' is not a whole number from 1 to 1024");
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        return runWithEnv(Map.of(), args);
    }

    private Run runWithEnv(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("PLACEMENT_VLLM_PLAN_B64");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static boolean python3Available() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private List<String> strings(JsonNode node) {
        return json.convertValue(node, new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
    }
}
