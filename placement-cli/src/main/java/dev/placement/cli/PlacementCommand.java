package dev.placement.cli;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code placement} command: the entry point of the CLI.
 *
 * <p>Exit codes: 0 success; 1 an unexpected failure; 2 bad input (one line on stderr naming the file,
 * field and value); 3 no feasible placement (the explanation on stderr). A stack trace is printed only with
 * {@code --verbose}.
 */
@Command(name = "placement",
        mixinStandardHelpOptions = true,
        versionProvider = PlacementCommand.Version.class,
        description = {
            "Decides how a language model's layers are spread over a pipeline of edge GPUs,",
            "predicts TTFT, ITL, TPOT and throughput for any placement, and reconfigures vLLM on Ray",
            "when the network changes."},
        footer = {"", "Exit codes: 0 ok, 1 unexpected failure, 2 bad input, 3 no feasible placement."})
public final class PlacementCommand implements Runnable {

    /** Exit code for bad input. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code when no placement is feasible. */
    public static final int EXIT_INFEASIBLE = 3;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of failures.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * Runs the CLI and exits the JVM with its exit code.
     *
     * @param args the command-line arguments
     */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /**
     * Runs the CLI without exiting; used by tests and embedders.
     *
     * @param args the command-line arguments
     * @return the exit code
     */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** @return the configured command line with every subcommand and the error handlers */
    static CommandLine commandLine() {
        PlacementCommand root = new PlacementCommand();
        CommandLine cl = new CommandLine(root);
        // Subcommands, in the order --help lists them: the demo first, then planning, judging agents and the model's
        // calibration, then the runtime.
        cl.addSubcommand(new DemoCommand());
        cl.addSubcommand(new PlanCommand());
        cl.addSubcommand(new PredictCommand());
        cl.addSubcommand(new EvaluateCommand());
        cl.addSubcommand(new CalibrateCommand());
        cl.addSubcommand(new LaunchCommand());
        cl.addSubcommand(new BenchCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            boolean verbose = root.verbose;
            int code;
            if (ex instanceof InvalidInputException) {
                code = EXIT_BAD_INPUT;
            } else if (ex instanceof InfeasiblePlacementException) {
                code = EXIT_INFEASIBLE;
            } else if (ex instanceof IllegalArgumentException) {
                code = EXIT_BAD_INPUT;
            } else {
                code = 1;
            }
            err.println("placement: " + (ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage()));
            if (verbose) {
                ex.printStackTrace(err);
            } else if (code == 1) {
                err.println("placement: run with --verbose for details");
            }
            err.flush();
            return code;
        });
        cl.setParameterExceptionHandler((ParameterException ex, String[] args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("placement: " + ex.getMessage());
            err.println("placement: see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            err.flush();
            return EXIT_BAD_INPUT;
        });
        return cl;
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = PlacementCommand.class.getResourceAsStream("/placement-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"placement " + p.getProperty("version", "unknown"),
                "Java " + System.getProperty("java.version")};
        }
    }
}
