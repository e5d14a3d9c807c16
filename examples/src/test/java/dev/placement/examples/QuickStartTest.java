package dev.placement.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.api.Placement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's embedding example is QuickStart.java, line for line, and it does what the README says. */
class QuickStartTest {
    private static final Path README = Path.of("../README.md");
    private static final Path SOURCE = Path.of("src/main/java/dev/placement/examples/QuickStart.java");

    @Test
    void solverDropsTheSlowNodeAndTheOrchestratorServesOnAllNodesOfTheFastSimulatedCluster() {
        String out = runMain();

        Matcher solver = Pattern.compile("(?m)^solver: (\\S+): (.*)$").matcher(out);
        assertThat(solver.find()).as(out).isTrue();
        Placement decided = Placement.parse(solver.group(1));
        assertThat(decided.nodeIds()).containsExactly("node0", "node1");
        assertThat(decided.totalLayers()).isEqualTo(40);
        assertThat(solver.group(2)).contains("node2 was left out");

        Matcher running = Pattern.compile("(?m)^orchestrator: (\\S+) serving at (http://\\S+)$").matcher(out);
        assertThat(running.find()).as(out).isTrue();
        assertThat(Placement.parse(running.group(1)).nodeIds()).containsExactlyInAnyOrder("node0", "node1", "node2");
    }

    @Test
    void theReadmeShowsTheWholeExampleWithItsImports() throws IOException {
        String readme = Files.readString(README);
        Matcher block = Pattern.compile("(?s)```java\n(import dev\\.placement\\..*?)```").matcher(readme);
        assertThat(block.find()).as("a java block starting with the example's imports").isTrue();

        String source = Files.readString(SOURCE);
        String withoutPackage = source.substring(source.indexOf("import "));
        assertThat(block.group(1)).isEqualTo(withoutPackage);
    }

    private static String runMain() {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            QuickStart.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
