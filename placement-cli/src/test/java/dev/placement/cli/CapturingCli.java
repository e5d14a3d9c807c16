package dev.placement.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The CLI as a user runs it ({@link PlacementCommand#commandLine()}), with what it prints captured for tests. */
final class CapturingCli {
    private CapturingCli() {
    }

    /**
     * @param out receives standard output
     * @param err receives standard error
     * @return a fresh command line writing to them
     */
    static CommandLine writingTo(StringWriter out, StringWriter err) {
        CommandLine cl = PlacementCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }
}
