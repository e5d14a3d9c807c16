package dev.placement.core.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.placement.core.llm.ParsedAnswer.Entry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreeTextAnswerReaderTest {
    private static final List<String> IDS = List.of("node0", "node1", "node2");

    private static ParsedAnswer read(String text) {
        return FreeTextAnswerReader.read(text, IDS);
    }

    @Test
    void readsIndexLabelsInTheirCommonSpellings() {
        ParsedAnswer a = read("""
                GPU #0 - 10 layers
                rank 1 = layers: 10
                stage 2: decoder layers 20..39""");
        assertThat(a.problems()).isEmpty();
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("GPU #0", "rank 1", "stage 2");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(10, 10, 20);
        assertThat(a.entries().get(2).firstLayer()).isEqualTo(20);
        assertThat(a.entries().get(2).lastLayer()).isEqualTo(39);
    }

    @Test
    void readsABareCountOrAnExclusionOnlyAfterANodeLabel() {
        ParsedAnswer a = read("""
                node1: 20
                Latency: 20
                Node 2: none
                Bottleneck: none""");
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("node1", "Node 2");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(20, 0);
    }

    @Test
    void readsTheNodesUsedAsAListOrACount() {
        assertThat(read("Nodes used: node0 -> node2 and node1\nnode0: 40 layers").declaredUsed())
                .containsExactly("node0", "node2", "node1");
        ParsedAnswer counted = read("**Number of nodes used:** 3\nnode0: 40 layers");
        assertThat(counted.declaredCount()).isEqualTo(3);
        assertThat(counted.declaredUsed()).isNull();
    }

    @Test
    void leavesAPartitionUnpairedWhenTheListedNodesDifferInNumber() {
        ParsedAnswer a = read("Nodes used: node0, node1\nLayer partition: 10, 10, 20");
        assertThat(a.declaredUsed()).containsExactly("node0", "node1");
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly(null, null, null);
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(10, 10, 20);
    }

    @Test
    void prefersNodeLinesToAPartitionAndTheFirstPartitionToLaterOnes() {
        ParsedAnswer nodeLinesFirst = read("Node 0: 30 layers\nNode 1: 10 layers\nPartition: 20, 20");
        assertThat(nodeLinesFirst.entries()).extracting(Entry::layers).containsExactly(30, 10);
        ParsedAnswer twoPartitions = read("Split: 10/30\nLayer partition: 20, 20");
        assertThat(twoPartitions.entries()).extracting(Entry::layers).containsExactly(10, 30);
    }

    @Test
    void readsEverythingAfterTheRationaleAsRationale() {
        ParsedAnswer a = read("""
                Node 0: 40 layers
                Rationale: node1 sits behind a 30 ms link.
                node1: 20 layers would cost more than it saves.""");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(40);
        assertThat(a.rationale()).isEqualTo("node1 sits behind a 30 ms link. node1: 20 layers would cost more than "
                + "it saves.");
    }

    @Test
    void stopsGrowingALongRationale() {
        String line = "x".repeat(100);
        ParsedAnswer a = read("node0: 40 layers\nRationale: because\n" + (line + "\n").repeat(50));
        assertThat(a.rationale()).startsWith("because x");
        assertThat(a.rationale().length()).isBetween(2_000, 2_000 + 1 + line.length());
    }

    @Test
    void reportsAnAnswerWithoutAssignments() {
        ParsedAnswer a = read("Nodes used: 2\nRationale: the two fast nodes.");
        assertThat(a.entries()).isEmpty();
        assertThat(a.declaredCount()).isEqualTo(2);
        assertThat(a.problems()).singleElement().asString().startsWith("no layer assignment was found");
    }

    @Test
    void cutsALineOnlyBeforeANodeLabelAndNeverInsideParentheses() {
        ParsedAnswer a = read("Node 0 (T4, fast; id: node2): layers [0-12], Node 1: layers 13-39");
        assertThat(a.problems()).isEmpty();
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("Node 0", "Node 1");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(13, 27);
        assertThat(a.entries().get(0).altRef()).isEqualTo("T4, fast; id: node2");
    }

    @Test
    void takesNoLabelOffAFirstPartThatIsAShareItself() {
        ParsedAnswer a = FreeTextAnswerReader.read("alpha: 13 layers, beta: 27 layers", List.of("alpha", "beta"));
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("alpha", "beta");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(13, 27);
    }

    @Test
    void passesOverPartsOfAnAssignmentLineThatGiveNoLayers() {
        ParsedAnswer a = read("Node 0: layers 0-19, TTFT: 120-150 ms, Node 2: the slow one, Node 1: layers 20-39");
        assertThat(a.problems()).isEmpty();
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("Node 0", "Node 1");
    }

    @Test
    void readsARangeWithoutTheWordLayersOnlyAfterANode() {
        ParsedAnswer a = read("TTFT: 120-150 ms\nnode0: 0-19\nNode 1: 20-39");
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("node0", "Node 1");
    }

    @Test
    void reportsARangeThatEndsBeforeItStarts() {
        ParsedAnswer a = read("Layer assignment: Node 0: layers [0-19], Node 1: layers [39-20]");
        assertThat(a.problems()).containsExactly("node 'Node 1': layer range 39-20 ends before it starts");
        assertThat(a.entries()).extracting(Entry::nodeRef).containsExactly("Node 0");
        assertThat(read("Node 1: layers 39-20").problems()).singleElement().asString().contains("ends before");
    }

    @Test
    void reportsARangeWhoseStatedCountDisagrees() {
        ParsedAnswer a = read("Node 0: layers [0-12] (12 layers), Node 1: layers [13-39] (27 layers)");
        assertThat(a.problems()).containsExactly("node 'Node 0': layer range 0-12 holds 13 layers, not the 12 the "
                + "answer states; give the range and the count so that they agree");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(27);
    }

    @Test
    void readsTheNodesUsedCountInItsSpellings() {
        for (String used : List.of("2 nodes", "2 (node0 and node1)", "2: node0, node1", "2 - node0 -> node1",
                "**2** [node0, node1].")) {
            ParsedAnswer a = read("Nodes used: " + used + "\nnode0: 20 layers\nnode1: 20 layers");
            assertThat(a.problems()).as(used).isEmpty();
            assertThat(a.declaredCount()).as(used).isEqualTo(2);
            if (!used.equals("2 nodes")) {
                assertThat(a.declaredUsed()).as(used).containsExactly("node0", "node1");
            }
        }
        ParsedAnswer indices = read("Nodes used: 0, 1\nnode0: 40 layers");
        assertThat(indices.declaredCount()).isNull();
        assertThat(indices.declaredUsed()).containsExactly("0", "1");
    }

    @Test
    void reportsANodesUsedCountThatDisagreesWithItsList() {
        ParsedAnswer a = read("Nodes used: 3 (node0, node1)\nLayer assignment: 20, 20");
        assertThat(a.problems()).containsExactly("'Nodes used' says 3 but names 2 nodes (node0, node1); the count "
                + "and the list must agree");
    }

    @Test
    void stopsCuttingALineWhereItsRationaleBegins() {
        ParsedAnswer a = read("Layer partition: 20, 20 | Rationale: node2 is slow; Nodes used: 3 would cost more");
        assertThat(a.entries()).extracting(Entry::layers).containsExactly(20, 20);
        assertThat(a.declaredCount()).isNull();
        assertThat(a.rationale()).isEqualTo("node2 is slow; Nodes used: 3 would cost more");
    }

    @Test
    void readsLongStrangeLinesQuickly() {
        int n = 50_000;
        List<String> lines = List.of("node0" + " ".repeat(n) + "x", "*".repeat(n) + "x", "Nodes used:" + " ".repeat(n)
                + "x", "Layer partition" + " ".repeat(n) + "x", "node0: 1, ".repeat(n / 10) + "x",
                "Node 0: layers [0-1], ".repeat(n / 20) + "(", "(" + ", node1: 2".repeat(n / 10),
                "Nodes used: 2 (" + " ".repeat(n) + "x", "Rationale" + " ".repeat(n) + "x", "1, ".repeat(n / 4) + "x",
                "Node 0: layers" + " ".repeat(n) + "x", "Node 0: 0" + " ".repeat(n) + "x",
                "Nodes used: " + "node0, ".repeat(n / 7) + ".".repeat(n));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> lines.forEach(FreeTextAnswerReaderTest::read));
    }
}
