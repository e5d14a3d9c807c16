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
