package dev.placement.api;

import java.time.Duration;
import java.util.List;

/**
 * Runs a command on a node: over SSH, locally, or scripted in tests. Used by the pairwise latency probe
 * (node-to-node ping) and by launchers for nodes without a Ray Jobs endpoint.
 *
 * <p>The command is an argument vector, never shell text: implementations that must go through a shell
 * quote every argument, so a node id or model name cannot inject a command. Implementations document their
 * thread-safety.
 */
public interface CommandRunner {

    /**
     * Runs a command and waits for it.
     *
     * @param node    the node to run it on
     * @param command the program and its arguments; not empty
     * @param timeout how long to wait before the command is killed and a failure reported
     * @return the exit code and output
     * @throws PlacementException if the node cannot be reached, authentication fails, or the timeout passes
     */
    CommandResult run(NodeSpec node, List<String> command, Duration timeout);

    /**
     * What a command printed and how it ended.
     *
     * @param exitCode the exit code
     * @param stdout   standard output, never null
     * @param stderr   standard error, never null
     */
    record CommandResult(int exitCode, String stdout, String stderr) {
        /**
         * Replaces null output with empty text.
         *
         * @param exitCode the exit code
         * @param stdout   standard output; null means empty
         * @param stderr   standard error; null means empty
         */
        public CommandResult {
            stdout = stdout == null ? "" : stdout;
            stderr = stderr == null ? "" : stderr;
        }
    }
}
