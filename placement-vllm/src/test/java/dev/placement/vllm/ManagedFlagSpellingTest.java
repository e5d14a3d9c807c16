package dev.placement.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Extra arguments are checked under the name vLLM's FlexibleArgumentParser and argparse read them as. */
class ManagedFlagSpellingTest {

    @ParameterizedTest
    @CsvSource({
        "--pipeline_parallel_size=1, --pipeline-parallel-size",
        "--tensor_parallel_size=2, --tensor-parallel-size",
        "--distributed_executor_backend=mp, --distributed-executor-backend",
        "--max_model_len, --max-model-len",
        "--max-model-len.x, --max-model-len",
        "--gpu_memory_utilization=0.99, --gpu-memory-utilization",
        "--served_model_name, --served-model-name",
        "--max-model, --max-model-len",
        "--tensor-parallel=2, --tensor-parallel-size",
        "--no-enforce-eager, --enforce-eager",
        "--no_enforce_eager, --enforce-eager",
        "-tp2, --tensor-parallel-size",
        "-q, --quantization",
        "--quantization=awq, --quantization",
        "--kv_cache_dtype=fp8, --kv-cache-dtype",
        "-tp, --tensor-parallel-size",
        "-tp=2, --tensor-parallel-size",
        "-pp1, --pipeline-parallel-size",
        "-pp, --pipeline-parallel-size",
        "-t, --tensor-parallel-size",
        "-dp=2, --data-parallel-size",
        "-dp, --data-parallel-size",
        "--data_parallel_size=2, --data-parallel-size",
        "-pcp=2, --prefill-context-parallel-size",
        "--prefill-context-parallel=2, --prefill-context-parallel-size",
    })
    void refusesAManagedFlagInAnySpellingVllmAccepts(String arg, String readAs) {
        assertThatThrownBy(() -> VllmOptions.builder().extraArgs(List.of(arg)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + arg + "'").hasMessageContaining(readAs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--config", "--config=serve.yaml", "--conf", "--config.port"})
    void refusesAConfigFileBecauseItsFlagsCannotBeChecked(String arg) {
        assertThatThrownBy(() -> VllmOptions.builder().extraArgs(List.of(arg, "serve.yaml")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + arg + "'").hasMessageContaining("--config").hasMessageContaining("YAML");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--max-num-seqs=64", "--max_num_seqs", "-O3", "-O", "--config-format", "-1",
        "--block-size=16", "fp8", "--enable-prefix-caching", "--compilation-config.level=3", "-dcp=2", "-dpn=0",
        "--data-parallel-size-local=1", "--decode-context-parallel-size=2"})
    void passesFlagsThePlanDoesNotSet(String arg) {
        assertThatCode(() -> VllmOptions.builder().extraArgs(List.of(arg))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource({
        "--tensor_parallel_size=2, --tensor-parallel-size",
        "--max-model-len.x=1, --max-model-len",
        "-tp=2, -tp",
        "-O3, --optimization-level",
        "-O=3, --optimization-level",
        "--a_b.c_d=e_f, --a-b",
    })
    void readsTheNameAsFlexibleArgumentParserDoes(String arg, String name) {
        assertThat(ServeOptionName.of(arg)).contains(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"64", "-1", "-0.5", "-", "--", "fp8"})
    void valuesHaveNoName(String arg) {
        assertThat(ServeOptionName.of(arg)).isEmpty();
    }
}
