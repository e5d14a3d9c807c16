package dev.placement.llm.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.placement.api.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each Gemini 3 family gets only thinking levels Google lists for it; Gemini 2.5 keeps token budgets. */
class ThinkingLevelsTest {

    /** Per family, the level sent for reasoning effort none, minimal, low, medium and high. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Gemini 3 Pro takes LOW and HIGH only: medium is rounded up, none and minimal to the least.
        "gemini-3-pro-preview,      LOW,     LOW,     LOW, HIGH,   HIGH",
        "gemini-3.1-pro-preview,    LOW,     LOW,     LOW, MEDIUM, HIGH",
        "gemini-3-flash-preview,    MINIMAL, MINIMAL, LOW, MEDIUM, HIGH",
        "gemini-3.1-flash-lite,     MINIMAL, MINIMAL, LOW, MEDIUM, HIGH",
        "gemini-3.5-flash,          MINIMAL, MINIMAL, LOW, MEDIUM, HIGH",
        // A Gemini 3 model not listed gets only the two levels every listed family takes.
        "gemini-3.8-flash,          LOW,     LOW,     LOW, HIGH,   HIGH"})
    void sendsEachFamilyOnlyALevelItTakes(String model, String none, String minimal, String low, String medium,
            String high) {
        String[] efforts = {"none", "minimal", "low", "medium", "high"};
        String[] expected = {none, minimal, low, medium, high};
        for (int i = 0; i < efforts.length; i++) {
            GenerationSettings s = GenerationSettings.resolve(model, null, null, efforts[i], null);
            assertThat(s.thinkingLevel()).as(model + " " + efforts[i]).isEqualTo(expected[i]);
            assertThat(s.thinkingBudget()).isNull();
        }
    }

    @Test
    void gemini25GetsTokenBudgetsNotLevels() {
        GenerationSettings s = GenerationSettings.resolve("gemini-2.5-flash", null, null, "medium", null);
        assertThat(s.thinkingLevel()).isNull();
        assertThat(s.thinkingBudget()).isEqualTo(8192);
    }

    @Test
    void anExplicitLevelTheFamilyDoesNotTakeIsRefusedInOneLine() {
        assertThatThrownBy(() -> GenerationSettings.resolve("gemini-3-pro-preview", "medium", null, null, null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("thinkingLevel")
                .hasMessageContaining("'medium' is not a thinking level gemini-3-pro-preview takes")
                .hasMessageContaining("LOW, HIGH");
        assertThat(GenerationSettings.resolve("gemini-3.1-pro-preview", "medium", null, null, null).thinkingLevel())
                .isEqualTo("MEDIUM");
        // Of a family not listed, the level the user names is sent as named: Google may list it later.
        assertThat(GenerationSettings.resolve("gemini-3.8-flash", "MEDIUM", null, null, null).thinkingLevel())
                .isEqualTo("MEDIUM");
    }
}
