package dev.placement.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

class LayerPhraseTest {

    @Test
    void readsCountsWrittenWithTheWordLayers() {
        assertThat(LayerPhrase.count("20 layers", false)).isEqualTo(20);
        assertThat(LayerPhrase.count("13 decoder blocks (on the T4)", false)).isEqualTo(13);
        assertThat(LayerPhrase.count("layers: 20", false)).isEqualTo(20);
    }

    @Test
    void readsABareNumberOnlyWhenAllowed() {
        assertThat(LayerPhrase.count("20", false)).isNull();
        assertThat(LayerPhrase.count("20.", true)).isEqualTo(20);
        assertThat(LayerPhrase.count("20 ms", true)).isNull();
    }

    @Test
    void takesNoCountFromTheStartOfARange() {
        assertThat(LayerPhrase.count("layers 10-19", true)).isNull();
        assertThat(LayerPhrase.count("layers 0 to 19", true)).isNull();
    }

    @Test
    void readsRangesWithOrWithoutBrackets() {
        for (String text : new String[] {"layers [0-19]", "0 to 19", "blocks: (0..19)", "decoder layers 0 — 19"}) {
            Matcher m = LayerPhrase.RANGE.matcher(text);
            assertThat(m.find()).as(text).isTrue();
            assertThat(m.group(1)).as(text).isEqualTo("0");
            assertThat(m.group(2)).as(text).isEqualTo("19");
        }
        assertThat(LayerPhrase.RANGE.matcher("about 20 layers").find()).isFalse();
    }
}
