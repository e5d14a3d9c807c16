package dev.placement.core.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import dev.placement.api.ModelSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A config.json cannot overflow the model's sizes, nor smuggle a terminal escape sequence in as the model's id. */
class ConfigLimitsTest {

    private static ModelSpec parse(String json) {
        return ModelConfigs.fromConfigJson(null, new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                "config.json");
    }

    @Test
    void aShapeWhoseBytesOverflowALongIsRejectedNamingTheFile() {
        assertThatThrownBy(() -> parse("""
                {"model_type": "llama", "num_hidden_layers": 40, "hidden_size": 2147483646,
                 "intermediate_size": 8192, "num_attention_heads": 2, "num_key_value_heads": 2,
                 "vocab_size": 2147483647, "max_position_embeddings": 4096}
                """)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("config.json: model 'config.json' is too large to size in bytes");
    }

    @Test
    void aNameWithControlCharactersIsNotTakenAsTheModelsId() {
        ModelSpec spec = parse("""
                {"_name_or_path": "evil\\u001b[2J\\nname", "model_type": "llama", "num_hidden_layers": 2,
                 "hidden_size": 64, "intermediate_size": 128, "num_attention_heads": 2, "vocab_size": 100,
                 "max_position_embeddings": 256}
                """);
        assertThat(spec.name()).isEqualTo("config.json");
    }

    @Test
    void aDeviceGivenAsConfigJsonIsRefusedBeforeItIsRead(@TempDir Path dir) {
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertThatThrownBy(() -> ModelConfigs.fromConfigJson(zero)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("is not a regular file");
        }
        assertThatThrownBy(() -> ModelConfigs.fromConfigJson(dir)).hasMessageContaining("is a directory");
    }
}
