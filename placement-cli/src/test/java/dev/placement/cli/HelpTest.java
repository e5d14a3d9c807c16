package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * Every command's {@code --help}, as {@code placement} runs it: exit code 0, and no line broken inside a URL, a
 * flag, a path or an example command, at 80 columns and at {@code COLUMNS=200}.
 */
class HelpTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** The words naming each command the CLI registers ([] for placement itself), walked from the hierarchy. */
    static List<List<String>> commands() {
        List<List<String>> all = new ArrayList<>();
        walk(CapturingCli.writingTo(new StringWriter(), new StringWriter()), List.of(), all);
        return all;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> all) {
        all.add(path);
        for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
            List<String> next = new ArrayList<>(path);
            next.add(sub.getKey());
            walk(sub.getValue(), next, all);
        }
    }

    static Stream<Arguments> commandsAndWidths() {
        return commands().stream().flatMap(c -> Stream.of(Arguments.of(c, 80), Arguments.of(c, 200)));
    }

    @Test
    void everyCommandIsChecked() {
        assertThat(commands().stream().map(c -> String.join(" ", c))).contains("", "plan", "predict", "evaluate",
                "models", "gpus", "calibrate", "bench", "launch", "demo");
    }

    @Test
    void theWidthIsEightyColumnsOrColumnsWhenWider() {
        assertThat(UsageHelp.width(null)).isEqualTo(80);
        assertThat(UsageHelp.width("200")).isEqualTo(200);
        assertThat(UsageHelp.width(" 120 ")).isEqualTo(120);
        assertThat(UsageHelp.width("40")).isEqualTo(80);
        assertThat(UsageHelp.width("wide")).isEqualTo(80);
        assertThat(UsageHelp.width("99999999999")).isEqualTo(80);
        assertThat(UsageHelp.width("100000")).isEqualTo(UsageHelp.MAX_WIDTH);
    }

    @ParameterizedTest(name = "placement {0} --help at {1} columns")
    @MethodSource("commandsAndWidths")
    void helpExitsZeroAndBreaksLinesOnlyBetweenWords(List<String> command, int width) {
        CommandLine cl = CapturingCli.writingTo(out, err);
        cl.setUsageHelpWidth(width);
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        assertThat(PlacementCommand.execute(cl, args.toArray(String[]::new))).isZero();
        assertThat(err.toString()).isEmpty();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).anyMatch(l -> l.startsWith("Usage: placement"));
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(width));
        CommandSpec spec = at(cl, command).getCommandSpec();
        // An example (a line starting with a space) is printed as written: pasted, it runs.
        for (String example : examples(spec)) {
            assertThat(example.length()).as(example).isLessThanOrEqualTo(80);
            assertThat(lines).as("an example line").contains(example);
        }
        assertThat(brokenWords(sourceText(spec), lines)).as("words broken across lines").isEmpty();
    }

    /** Texts that picocli's own wrapping cut, as it cut bench's and launch's: a URL, a path and an example. */
    @Command(name = "wide", mixinStandardHelpOptions = true,
            description = "Reads the model's config.json, e.g. from http://10.0.0.10:8000/models/Falcon3-10B-Base/"
                    + "config.json.",
            footer = {"Example:",
                "  placement bench --url http://10.0.0.10:8000 --model tiiuae/Falcon3-10B-Base --num-prompts 200 \\",
                "      --max-concurrency 16"})
    static final class Wide implements Runnable {
        @Option(names = "--known-hosts", paramLabel = "FILE",
                description = "With --runtime ssh: the known_hosts file (default ~/.ssh/known_hosts).")
        String knownHosts;

        @Override
        public void run() {
        }
    }

    @Test
    void picocliOwnWrappingBreaksWordsThatThisHelpKeepsWhole() {
        CommandLine picocli = new CommandLine(new Wide());
        List<String> sources = sourceText(picocli.getCommandSpec());
        List<String> cut = picocli.getUsageMessage(Help.Ansi.OFF).lines().toList();
        assertThat(brokenWords(sources, cut))
                .contains("http://10.0.0.10:8000/models/Falcon3-10B-Base/config.json.", "~/.ssh/known_hosts).");
        assertThat(cut).doesNotContain(examples(picocli.getCommandSpec()).get(0));
        CommandLine ours = new CommandLine(new Wide());
        UsageHelp.install(ours, null);
        List<String> lines = ours.getUsageMessage(Help.Ansi.OFF).lines().toList();
        assertThat(brokenWords(sources, lines)).isEmpty();
        assertThat(lines).containsAll(examples(ours.getCommandSpec()));
        // The description column is still filled: the path moves to the next line whole.
        assertThat(lines).contains("      --known-hosts=FILE   With --runtime ssh: the known_hosts file (default",
                "                             ~/.ssh/known_hosts).");
    }

    private static CommandLine at(CommandLine root, List<String> command) {
        CommandLine cl = root;
        for (String name : command) {
            cl = cl.getSubcommands().get(name);
        }
        return cl;
    }

    /** The lines of a command's description and footer that start with a space: examples. */
    private static List<String> examples(CommandSpec spec) {
        return Stream.concat(Arrays.stream(spec.usageMessage().description()),
                        Arrays.stream(spec.usageMessage().footer()))
                .flatMap(String::lines).filter(l -> l.startsWith(" ")).toList();
    }

    /**
     * Everything a command's help prints from its sources, unwrapped: header, description, footer, each option's
     * description, the synopsis on one line, and for a command with subcommands their headers.
     */
    private static List<String> sourceText(CommandSpec spec) {
        List<String> text = new ArrayList<>();
        text.addAll(Arrays.asList(spec.usageMessage().header()));
        text.addAll(Arrays.asList(spec.usageMessage().description()));
        text.addAll(Arrays.asList(spec.usageMessage().footer()));
        for (OptionSpec option : spec.options()) {
            if (!option.hidden()) {
                text.addAll(Arrays.asList(option.description()));
            }
        }
        for (CommandLine sub : spec.subcommands().values()) {
            String[] header = sub.getCommandSpec().usageMessage().header();
            text.add(header.length > 0 ? header[0] : sub.getCommandSpec().usageMessage().description()[0]);
        }
        int width = spec.usageMessage().width();
        spec.usageMessage().width(100_000);
        try {
            text.add(new Help(spec, Help.defaultColorScheme(Help.Ansi.OFF)).synopsis(0));
        } finally {
            spec.usageMessage().width(width);
        }
        return text;
    }

    /**
     * The words (runs of non-spaces) of the sources that the output does not hold whole as often as the sources
     * do: each one cut somewhere into pieces on two lines.
     */
    private static List<String> brokenWords(List<String> sources, List<String> lines) {
        Map<String, Integer> printed = count(lines);
        List<String> broken = new ArrayList<>();
        count(sources).forEach((word, times) -> {
            if (printed.getOrDefault(word, 0) < times) {
                broken.add(word);
            }
        });
        return broken;
    }

    private static Map<String, Integer> count(List<String> texts) {
        Map<String, Integer> counts = new HashMap<>();
        for (String text : texts) {
            for (String word : text.trim().split("\\s+")) {
                if (!word.isEmpty()) {
                    counts.merge(word, 1, Integer::sum);
                }
            }
        }
        return counts;
    }
}
