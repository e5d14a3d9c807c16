package dev.placement.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.core.llm.ParsedAnswer.Entry;
import org.junit.jupiter.api.Test;

class JsonAnswerReaderTest {

    @Test
    void leavesProseWithoutAPlacementObjectToTheFreeTextReader() {
        assertThat(JsonAnswerReader.read("Weighing {compute} against {links}, node0 takes layers 0-39.")).isNull();
        assertThat(JsonAnswerReader.read("{\"model\": \"llama\", \"layers_total\": 40}")).isNull();
    }

    @Test
    void skipsAnObjectWithoutPlacementFieldsAndReadsTheNextOne() {
        ParsedAnswer a = JsonAnswerReader.read("""
                Given {"model": "Llama-2-7b", "gpus": 3}, my answer is
                {"layers_per_node": [20, 12], "reasoning": "node2 is the slowest"}""");
        assertThat(a.problems()).isEmpty();
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly(null, null);
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(20, 12);
        assertThat(a.rationale()).isEqualTo("node2 is the slowest");
    }

    @Test
    void readsTheLenientJsonModelsWrite() {
        ParsedAnswer a = JsonAnswerReader.read("""
                {
                  nodes_used: ['node0', 'node1'],  // the fast pair
                  'layers_per_node': [24, 16],
                }""");
        assertThat(a.problems()).isEmpty();
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("node0", "node1");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(24, 16);
    }

    @Test
    void passesOverAnObjectThatGivesAKeyTwice() {
        // Which of the two partitions the model meant is not ours to guess.
        assertThat(JsonAnswerReader.read("{\"layers_per_node\": [40], \"layers_per_node\": [20, 20]}")).isNull();
    }

    @Test
    void readsAStagesMapOfCountsAndRanges() {
        ParsedAnswer a = JsonAnswerReader.read("{\"assignment\": {\"node0\": \"layers 0-19\", \"node1\": 20}}");
        assertThat(a.problems()).isEmpty();
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("node0", "node1");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(20, 20);
        assertThat(a.entries().get(0).firstLayer()).isZero();
        assertThat(a.entries().get(0).lastLayer()).isEqualTo(19);
        assertThat(a.entries().get(1).firstLayer()).isNull();
        assertThat(a.entries()).noneMatch(Entry::listedAsUsed);
    }

    @Test
    void takesAWholeNumberOfNodesAsTheDeclaredCount() {
        ParsedAnswer a = JsonAnswerReader.read("{\"nodes_used\": 2, \"layers_per_node\": [20, 20]}");
        assertThat(a.problems()).isEmpty();
        assertThat(a.declaredCount()).isEqualTo(2);
        assertThat(a.declaredUsed()).isNull();
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly(null, null);
    }

    @Test
    void splitsNodesAndLayersGivenAsStrings() {
        ParsedAnswer a = JsonAnswerReader.read("{\"nodes_used\": \"node0, node2\", \"layers_per_node\": \"28/12\"}");
        assertThat(a.problems()).isEmpty();
        assertThat(a.declaredUsed()).containsExactly("node0", "node2");
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("node0", "node2");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(28, 12);
    }

    @Test
    void reportsARangeThatEndsBeforeItStarts() {
        ParsedAnswer a = JsonAnswerReader.read("{\"stages\": [{\"node\": \"node1\", \"range\": \"39-20\"}]}");
        assertThat(a.entries()).isEmpty();
        assertThat(a.problems()).containsExactly("node 'node1': layer range 39-20 ends before it starts");
    }

    @Test
    void reportsStagesItCannotRead() {
        ParsedAnswer a = JsonAnswerReader.read("{\"stages\": [20, {\"node\": \"node0\"}, {\"id\": \"node1\", "
                + "\"layers\": \"most of them\"}]}");
        assertThat(a.entries()).isEmpty();
        assertThat(a.problems()).containsExactly(
                "stages[0] must be an object with a node and its layers, was number",
                "stages[1] must name a node and its layers",
                "node 'node1': 'most of them' is not a layer count or a layer range");
    }

    @Test
    void reportsWhatIsMissingOrEmpty() {
        assertThat(JsonAnswerReader.read("{\"nodes_used\": [\"node0\"]}").problems())
                .containsExactly("the answer has no layers_per_node");
        assertThat(JsonAnswerReader.read("{\"layers_per_node\": []}").problems())
                .containsExactly("the answer assigns no layers to any node");
        assertThat(JsonAnswerReader.read("{\"nodes_used\": {\"node0\": true}, \"layers_per_node\": 40}").problems())
                .containsExactly("field nodes_used must be an array of node ids, was object",
                        "field layers_per_node must be an array of whole numbers, was number");
    }

    @Test
    void triesABoundedNumberOfCandidateObjects() {
        String placement = "{\"layers_per_node\": [40]}";
        String justInside = "{}".repeat(JsonAnswerReader.MAX_JSON_CANDIDATES - 1) + placement;
        String justOutside = "{}".repeat(JsonAnswerReader.MAX_JSON_CANDIDATES) + placement;
        assertThat(JsonAnswerReader.read(justInside).entries()).extracting(Entry::layers).containsExactly(40);
        assertThat(JsonAnswerReader.read(justOutside)).isNull();
    }
}
