package dev.placement.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The CLI's usage help: picocli's layout, except that a line is only ever broken at a space.
 *
 * <p>picocli's {@code TextTable} wraps with {@link java.text.BreakIterator#getLineInstance()}, which breaks after
 * {@code .}, {@code /}, {@code :} and {@code ,} too (picocli masks only {@code -}): a URL ({@code http://10.} /
 * {@code 0.0.10:8265}), a path, an option's {@code NODE:LAYERS} label or a long example command came out in pieces
 * that no longer work when pasted, at any width. So every text is cut here at spaces, into lines that each fit their
 * column, before picocli lays it out, and picocli's own wrapping never has to break one; a word longer than its
 * column stays whole. A description or footer line starting with a space is an example (a command line or its
 * continuation) and is printed as written, never wrapped; the sources keep those at most 80 characters, so they fit
 * an 80-column terminal too ({@code HelpTest} checks both). The width is 80 columns, or {@code $COLUMNS} when that
 * is wider (at most {@link #MAX_WIDTH}); {@code -Dpicocli.usage.width} still overrides it.
 */
final class UsageHelp extends Help {
    /** The width of the help when {@code $COLUMNS} does not ask for more. */
    static final int WIDTH = 80;
    /** The widest help {@code $COLUMNS} may ask for. */
    static final int MAX_WIDTH = 400;

    /**
     * @param spec the command whose help this is
     * @param scheme its colours
     */
    UsageHelp(CommandSpec spec, ColorScheme scheme) {
        super(spec, scheme);
    }

    /**
     * Makes a command line and its subcommands (those added so far) print this help.
     *
     * @param cl the command line
     * @param columns the {@code COLUMNS} environment variable, or null
     */
    static void install(CommandLine cl, String columns) {
        cl.setHelpFactory(UsageHelp::new);
        cl.setUsageHelpWidth(width(columns));
    }

    /**
     * @param columns the {@code COLUMNS} environment variable, or null
     * @return the help's width: {@link #WIDTH}, or {@code columns} when it is a number from there to
     *         {@link #MAX_WIDTH}, or {@link #MAX_WIDTH} when more
     */
    static int width(String columns) {
        if (columns == null || !columns.trim().matches("\\d{1,9}")) {
            return WIDTH;
        }
        return Math.max(WIDTH, Math.min(MAX_WIDTH, Integer.parseInt(columns.trim())));
    }

    /** {@inheritDoc} Lines starting with a space are kept whole; others are wrapped at spaces. */
    @Override
    public String header(Object... params) {
        return lines(commandSpec().usageMessage().header(), params);
    }

    /** {@inheritDoc} Lines starting with a space are kept whole; others are wrapped at spaces. */
    @Override
    public String description(Object... params) {
        return lines(commandSpec().usageMessage().description(), params);
    }

    /** {@inheritDoc} Lines starting with a space are kept whole; others are wrapped at spaces. */
    @Override
    public String footer(Object... params) {
        return lines(commandSpec().usageMessage().footer(), params);
    }

    private String lines(String[] values, Object... params) {
        StringBuilder b = new StringBuilder();
        int width = commandSpec().usageMessage().width();
        for (String value : values == null ? new String[0] : values) {
            for (Text line : colorScheme().text(format(value, params)).splitLines()) {
                List<Text> pieces = line.plainString().startsWith(" ") ? List.of(line) : wrap(line, width, width);
                for (Text piece : pieces) {
                    b.append(piece).append(System.lineSeparator());
                }
            }
        }
        return b.toString();
    }

    /** Formats a line as picocli does ({@code %n}, {@code %%}), or leaves it as it is when it is no format. */
    private static String format(String value, Object... params) {
        try {
            return value == null ? "" : String.format(value, params);
        } catch (IllegalFormatException e) {
            return value;
        }
    }

    /** {@inheritDoc} The synopsis is wrapped between options, never inside one. */
    @Override
    protected String insertSynopsisCommandName(int headingLength, Text details) {
        UsageMessageSpec usage = commandSpec().usageMessage();
        int width = usage.width();
        String name = commandSpec().qualifiedName();
        // picocli's indent of the synopsis's later lines: under the first option, unless that is too far right.
        int indent = headingLength + name.length() + 1;
        if (indent > usage.synopsisAutoIndentThreshold() * width) {
            indent = Math.min(usage.synopsisIndent() < 0 ? headingLength : usage.synopsisIndent(), width * 9 / 10);
        }
        List<Text> lines = wrap(colorScheme().commandText(name).concat(details), width - headingLength, width - indent);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            b.append(i == 0 ? "" : " ".repeat(indent)).append(lines.get(i)).append(System.lineSeparator());
        }
        return b.toString();
    }

    /** {@inheritDoc} Each description is cut at spaces into lines that fit the description column. */
    @Override
    public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals,
            ColorScheme scheme) {
        return new WholeWordLayout(super.createDefaultLayout(options, positionals, scheme));
    }

    /** {@inheritDoc} Each header is cut at spaces into lines that fit beside the names. */
    @Override
    public String commandList(Map<String, Help> subcommands) {
        if (subcommands.isEmpty()) {
            return "";
        }
        // picocli's layout: the names (at most half the width) and the first line of each header, both indented 2.
        int width = commandSpec().usageMessage().width();
        int names = Math.min(subcommands.keySet().stream().mapToInt(String::length).max().orElse(0), width / 2) + 2;
        TextTable table = TextTable.forColumns(colorScheme(), new Column(names, 2, Column.Overflow.SPAN),
                new Column(width - names, 2, Column.Overflow.WRAP));
        int room = width - names - 2;
        Text hang = colorScheme().text(" ".repeat(table.indentWrappedLines));
        for (Map.Entry<String, Help> entry : subcommands.entrySet()) {
            UsageMessageSpec usage = entry.getValue().commandSpec().usageMessage();
            String header = usage.header().length > 0 ? usage.header()[0]
                    : usage.description().length > 0 ? usage.description()[0] : "";
            Text name = entry.getValue().commandNamesText(", ");
            for (Text line : colorScheme().text(format(header)).splitLines()) {
                List<Text> pieces = wrap(line, room, room - table.indentWrappedLines);
                for (int i = 0; i < pieces.size(); i++) {
                    table.addRowValues(name, i == 0 ? pieces.get(i) : hang.concat(pieces.get(i)));
                    name = colorScheme().text("");
                }
            }
        }
        return table.toString();
    }

    /**
     * Cuts a text into lines at spaces only, each as long as fits in {@code first} columns (the first line) or
     * {@code rest} (the others); a word longer than that is alone on its line, whole. Styles are kept.
     *
     * @param text the text, on one line
     * @param first the room on the first line
     * @param rest the room on each later line
     * @return at least one line; none starts (but the first, as the text does) or ends with a space
     */
    static List<Text> wrap(Text text, int first, int rest) {
        String plain = text.plainString();
        List<Text> lines = new ArrayList<>();
        int start = 0;
        int room = first;
        while (true) {
            int end = wordEnd(plain, start);
            for (int next = wordEnd(plain, end); next > end && next - start <= room; next = wordEnd(plain, end)) {
                end = next;
            }
            lines.add(text.substring(start, end));
            start = end;
            while (start < plain.length() && plain.charAt(start) == ' ') {
                start++;
            }
            if (start >= plain.length()) {
                return lines;
            }
            room = rest;
        }
    }

    /** The end of the word after {@code from} (spaces before it included), or {@code from} when none follows. */
    private static int wordEnd(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        if (i == s.length()) {
            return from;
        }
        while (i < s.length() && s.charAt(i) != ' ') {
            i++;
        }
        return i;
    }

    /**
     * picocli's option list, each description first cut at spaces into lines that fit its column; the later lines
     * get picocli's hanging indent.
     */
    private static final class WholeWordLayout extends Layout {
        WholeWordLayout(Layout layout) {
            super(layout.colorScheme(), layout.textTable(), layout.optionRenderer(), layout.parameterRenderer());
        }

        /** {@inheritDoc} */
        @Override
        public void layout(ArgSpec arg, Text[][] rows) {
            Column[] columns = table.columns();
            int last = columns.length - 1;
            int room = columns[last].width - columns[last].indent;
            Text hang = colorScheme.text(" ".repeat(table.indentWrappedLines));
            for (Text[] row : rows) {
                if (row.length != columns.length || row[last] == null) {
                    table.addRowValues(row);
                    continue;
                }
                List<Text> lines = wrap(row[last], room, room - table.indentWrappedLines);
                Text[] first = row.clone();
                first[last] = lines.get(0);
                table.addRowValues(first);
                for (Text line : lines.subList(1, lines.size())) {
                    Text[] next = new Text[columns.length];
                    Arrays.fill(next, colorScheme.text(""));
                    next[last] = hang.concat(line);
                    table.addRowValues(next);
                }
            }
        }
    }
}
