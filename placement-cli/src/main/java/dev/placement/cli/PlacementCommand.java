package dev.placement.cli;

import dev.placement.api.InfeasiblePlacementException;
import dev.placement.api.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
            "predicts TTFT, ITL, TPOT and throughput for any placement, and reconfigures",
            "vLLM on Ray when the network changes."},
        footer = {"", "Exit codes: 0 ok, 1 unexpected failure, 2 bad input, 3 no feasible placement."})
public final class PlacementCommand implements Runnable {

    /** Exit code for bad input. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code when no placement is feasible. */
    public static final int EXIT_INFEASIBLE = 3;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of failures, and the library's own log lines from INFO up (by default "
                    + "WARN up).")
    boolean verbose;

    /** slf4j-simple's level for the loggers under {@code dev.placement}; read when each logger is made. */
    static final String SDK_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.placement";

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
        return execute(commandLine(), args);
    }

    /**
     * Runs a configured command line; an {@link OutOfMemoryError} (which picocli lets through, being no
     * exception) ends as one line and exit code 1 instead of a stack trace. By the time it is caught here the
     * work that ran out has unwound, so its memory is free again for the line.
     */
    static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            PrintWriter err = cl.getErr();
            err.println("placement: out of memory: the input needs more than the " + maxHeapMiB()
                    + " MiB of Java heap this run had; give it more, e.g. PLACEMENT_JAVA_OPTS=-Xmx1g");
            err.flush();
            return 1;
        }
    }

    private static long maxHeapMiB() {
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
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
        cl.addSubcommand(new RunCommand());
        cl.addSubcommand(new BenchCommand());
        cl.addSubcommand(new ModelsCommand());
        cl.addSubcommand(new GpusCommand());
        // After the subcommands, so that every one of them gets it: picocli registers on the hierarchy as it is.
        cl.registerConverter(Path.class, PlacementCommand::path);
        // Help that breaks lines only at spaces, never inside a URL, flag or example (see UsageHelp), 80 columns
        // wide or $COLUMNS when wider.
        UsageHelp.install(cl, System.getenv("COLUMNS"));
        // Once the options are parsed and before the command runs (the SDK's loggers are made when their classes
        // are first used, inside the command): --verbose shows their INFO lines. A level set by the user stays.
        cl.setExecutionStrategy(parseResult -> {
            if (root.verbose && System.getProperty(SDK_LOG_LEVEL) == null) {
                System.setProperty(SDK_LOG_LEVEL, "info");
            }
            return new CommandLine.RunLast().execute(parseResult);
        });
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
            String message = ex.getMessage() == null ? ex.getClass().getSimpleName()
                    : ex instanceof InvalidInputException bad ? clipSource(bad) : ex.getMessage();
            err.println("placement: " + oneLine(message)
                    + (code == 1 && !verbose ? " (run with --verbose for details)" : ""));
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return code;
        });
        cl.setParameterExceptionHandler((ParameterException ex, String[] args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("placement: " + oneLine(ex.getMessage()) + "; see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            err.flush();
            return EXIT_BAD_INPUT;
        });
        return cl;
    }

    /**
     * Reads a path option: an empty one, or one the file system refuses (a NUL in it, for example), is bad input
     * naming the value, not a Java exception's class names.
     */
    static Path path(String text) {
        if (text.isEmpty()) {
            // Path.of("") is the working directory, which no option means.
            throw new CommandLine.TypeConversionException("the path is empty; give a file or directory name");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a valid path: " + e.getReason());
        }
    }

    /** The longest file or option name a problem line starts with, so that the problem itself is not clipped. */
    static final int MAX_SOURCE_CHARS = 160;

    /**
     * A bad input's message with its source (a path as the user gave it, say) clipped to
     * {@link #MAX_SOURCE_CHARS}: a long one would otherwise push the field and the problem out of the line.
     */
    static String clipSource(InvalidInputException bad) {
        String source = bad.source();
        String message = bad.getMessage();
        if (source == null || source.length() <= MAX_SOURCE_CHARS || !message.startsWith(source)) {
            return message;
        }
        int cut = Character.isHighSurrogate(source.charAt(MAX_SOURCE_CHARS - 1)) ? MAX_SOURCE_CHARS - 1
                : MAX_SOURCE_CHARS;
        return source.substring(0, cut) + "... (" + (source.length() - cut) + " more characters)"
                + message.substring(source.length());
    }

    /** The longest problem line printed: a value echoed from a hostile file cannot flood the terminal. */
    static final int MAX_MESSAGE_CHARS = 400;

    /**
     * Makes a message safe to print as one line: line breaks, tabs and every other control character (which
     * includes the ESC that starts a terminal escape sequence) become visible backslash escapes, and a message
     * longer than {@link #MAX_MESSAGE_CHARS} is clipped, saying how much was cut.
     */
    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS) + 32);
        int i = 0;
        for (; i < message.length() && b.length() < MAX_MESSAGE_CHARS; i++) {
            char c = message.charAt(i);
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                    || Character.getType(c) == Character.FORMAT) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (i < message.length()) {
            b.append("... (").append(message.length() - i).append(" more characters)");
        }
        return b.toString();
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
