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

    @Test
    void aPathOptionTheFileSystemRefusesIsOneLineNamingTheOptionAndValue() {
        assertThat(run("calibrate", "--observations=runs\u0000.jsonl", "--out=c.json"))
                .isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).isEqualTo("placement: Invalid value for option '--observations': 'runs\\u0000.jsonl'"
                + " is not a valid path: Nul character not allowed; see 'placement calibrate --help'"
                + System.lineSeparator());
        err.getBuffer().setLength(0);
        // An empty path would be the working directory, which no option means.
        assertThat(run("evaluate", "--agent", "even", "--scenarios=")).isEqualTo(PlacementCommand.EXIT_BAD_INPUT);
        assertThat(err.toString()).startsWith("placement: Invalid value for option '--scenarios': the path is empty")
                .hasLineCount(1);
    }

    @Test
    void aLongPathIsClippedSoThatTheProblemStillShows() {
        String path = "runs/" + "[".repeat(1200) + ".jsonl";
        assertThat(run("calibrate", "--observations", path, "--out", "c.json")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("placement: " + path.substring(0, PlacementCommand.MAX_SOURCE_CHARS)
                + "... (" + (path.length() - PlacementCommand.MAX_SOURCE_CHARS) + " more characters): file not found"
                + System.lineSeparator());
        err.getBuffer().setLength(0);
        // A name too long for the file system: its reason, not the exception's message repeating the path.
        String name = "[".repeat(1200) + ".jsonl";
        assertThat(run("calibrate", "--observations", name, "--out", "c.json")).isEqualTo(2);
        assertThat(err.toString()).containsPattern(" more characters\\): cannot be read: [^\\[]+$").hasLineCount(1);
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
