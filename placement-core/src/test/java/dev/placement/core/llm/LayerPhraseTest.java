package dev.placement.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

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
        for (String text : new String[] {"layers [0-19]", "0 to 19", "blocks: (0..19)", "decoder layers 0 — 19",
                "layers 0–19", "[0-19]"}) {
            LayerPhrase.Range r = LayerPhrase.range(text, true);
            assertThat(r).as(text).isNotNull();
            assertThat(r.first()).as(text).isZero();
            assertThat(r.last()).as(text).isEqualTo(19);
            assertThat(r.layers()).as(text).isEqualTo(20);
            assertThat(r.problem()).as(text).isNull();
        }
        assertThat(LayerPhrase.range("about 20 layers", true)).isNull();
    }

    @Test
    void readsARangeWithoutTheWordLayersOnlyWhenAllowed() {
        assertThat(LayerPhrase.range("120-150 ms", false)).isNull();
        assertThat(LayerPhrase.range("layers 0-12", false)).isNotNull();
        assertThat(LayerPhrase.range("0-12", true)).isNotNull();
    }

    @Test
    void reportsABackwardsRange() {
        assertThat(LayerPhrase.range("layers 26-13", true).problem()).isEqualTo("layer range 26-13 ends before it "
                + "starts");
    }

    @Test
    void readsTheCountStatedBesideARangeAndReportsADisagreement() {
        LayerPhrase.Range agrees = LayerPhrase.range("layers [0-12] (13 layers)", true);
        assertThat(agrees.statedLayers()).isEqualTo(13);
        assertThat(agrees.problem()).isNull();
        assertThat(agrees.end()).isEqualTo("layers [0-12] (13 layers)".length());
        assertThat(LayerPhrase.range("0-12, 12 layers", true).problem())
                .isEqualTo("layer range 0-12 holds 13 layers, not the 12 the answer states; give the range and the "
                        + "count so that they agree");
    }
}
