package dev.placement.vllm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkPromptTest {

    @TempDir
    Path dir;

    @Test
    void syntheticPromptsHaveTheRequestedWordCountDifferAndRepeatUnderTheSameSeed() {
        List<BenchmarkPrompt> prompts = BenchmarkPrompt.synthetic(3, 50, 9);

        assertThat(prompts).hasSize(3).allSatisfy(p -> {
            assertThat(p.inputTokens()).isEqualTo(50);
            assertThat(p.text().split(" ")).hasSize(50);
        });
        assertThat(prompts.get(0).text()).isNotEqualTo(prompts.get(1).text());
        assertThat(BenchmarkPrompt.synthetic(3, 50, 9)).isEqualTo(prompts);
        assertThat(BenchmarkPrompt.synthetic(3, 50, 10)).isNotEqualTo(prompts);
    }

    @Test
    void readsJsonLinesSkippingBlankLines() throws IOException {
        Path file = Files.writeString(dir.resolve("p.jsonl"),
                "{\"prompt\": \"Hello there world\", \"output_tokens\": 5}\n\n{\"prompt\": \"One\"}\n");

        assertThat(BenchmarkPrompt.readJsonl(file)).containsExactly(new BenchmarkPrompt("Hello there world", 3),
                new BenchmarkPrompt("One", 1));
    }

    @Test
    void badLinesNameTheFileAndLine() throws IOException {
        Path notJson = Files.writeString(dir.resolve("a.jsonl"), "{\"prompt\": \"ok\"}\n{prompt: oops}\n");
        Path noPrompt = Files.writeString(dir.resolve("b.jsonl"), "{\"text\": \"x\"}\n");
        Path empty = Files.writeString(dir.resolve("c.jsonl"), "\n");

        assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(notJson)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("a.jsonl: line 2: not valid JSON");
        assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(noPrompt))
                .hasMessageContaining("b.jsonl: line 1: prompt: missing or not a string");
        assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(empty)).hasMessageContaining("holds no prompt");
        assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(dir.resolve("none.jsonl")))
                .hasMessageContaining("none.jsonl: no such file");
    }

    @Test
    void trailingJunkAfterAnObjectIsRejected() throws IOException {
        Path file = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"ok\"}\n{\"prompt\": \"a\"} junk\n");
        assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(file + ": line 2: not valid JSON (")
                .hasMessageNotContaining("\n");
    }

    @Test
    void invalidUtf8ADirectoryAndADeviceAreNamedAsSuch() throws IOException {
        Path bad = Files.write(dir.resolve("bad.jsonl"), new byte[] {'{', (byte) 0xFF, '}'});
        assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(bad))
                .hasMessage(bad + ": is not UTF-8 text; expected a JSON Lines file of prompts");
        assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(dir))
                .hasMessage(dir + ": is a directory; expected a JSON Lines file of prompts");
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(zero)).hasMessageContaining("is not a regular file");
        }
    }

    @Test
    void deepNestingNamesTheLineNotTheParsersLimits() throws IOException {
        Path file = Files.writeString(dir.resolve("deep.jsonl"), "[".repeat(1200) + "\n");
        assertThatThrownBy(() -> BenchmarkPrompt.readJsonl(file))
                .hasMessageStartingWith(file + ": line 1: nested too deeply or too large")
                .hasMessageNotContaining("StreamReadConstraints");
    }
}
