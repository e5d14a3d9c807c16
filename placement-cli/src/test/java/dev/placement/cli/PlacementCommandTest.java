package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class PlacementCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return CapturingCli.writingTo(out, err).execute(args);
    }

    @Test
    void helpDescribesTheToolAndExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: placement").contains("pipeline of edge GPUs")
                .contains("2 bad input");
    }

    @Test
    void versionComesFromTheBuild() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).containsPattern("placement \\d+\\.\\d+\\.\\d+");
    }

    @Test
    void unknownOptionIsOneLineAndExitCodeTwo() {
        assertThat(run("--no-such-option")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).startsWith("placement: Unknown option: '--no-such-option'")
                .doesNotContain("Exception").doesNotContain("\tat ");
    }

    /** Stands for a plan too large for the heap (a 512-node plan at -Xmx256m once ended so). */
    @Command(name = "exhaust")
    static final class Exhausting implements Runnable {
        @Override
        public void run() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void runningOutOfMemoryIsOneLineAndExitCodeOne() {
        CommandLine cl = CapturingCli.writingTo(out, err);
        cl.addSubcommand(new Exhausting());
        assertThat(PlacementCommand.execute(cl, "exhaust")).isEqualTo(1);
        assertThat(err.toString()).startsWith("placement: out of memory: the input needs more than the ")
                .contains("PLACEMENT_JAVA_OPTS=-Xmx").doesNotContain("\tat ").doesNotContain("Error");
        assertThat(err.toString().lines()).hasSize(1);
    }
}
