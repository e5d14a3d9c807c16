package dev.placement.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The seeded mutations the fuzz tests make of valid inputs, and the check of the CLI's one-line contract on what
 * a run printed. One instance per test, so that a seed gives the same inputs on every machine.
 */
final class Fuzzing {

    /** Fragments that break YAML, JSON, numbers or a terminal. */
    static final String[] NASTY = {"\u001b[31m", "\n", "\t", "\r", "---\n", "[", "{", "}", ":", "'", "\"",
        "4294967297", "1e300", "-1", "0", "NaN", ".inf", "&a", "*a", "!!binary ", "\u0000", "9".repeat(30),
        "\u2028", " junk", ",", "- ", "  ", "null", "~", "? ", "%YAML 1.1\n", "0.0001", "1e-9", "2147483647"};
    /** Values that are not a whole number in range. */
    static final String[] BAD_INTS = {"0", "-1", "2147483647", "4294967297", "1e3", "", " ", "x",
        "99999999999", "-2147483648", "1\n2", "\u001b[2J"};
    /** What must never reach stderr: a stack trace, parser internals, a terminal escape. */
    private static final String[] FORBIDDEN = {"\tat ", "\u001b", "StreamReadConstraints", "com.fasterxml",
        "snakeyaml"};

    private final Random random;

    /** @param seed the seed of every choice this instance makes */
    Fuzzing(long seed) {
        this.random = new Random(seed);
    }

    /** @return a choice from 0 (inclusive) to {@code bound} (exclusive) */
    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** @return a coin toss */
    boolean nextBoolean() {
        return random.nextBoolean();
    }

    /** @return one of the values */
    String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    /** Applies one to three mutations to valid text. */
    String mutate(String text) {
        String s = text;
        int n = 1 + random.nextInt(3);
        for (int m = 0; m < n; m++) {
            int at = s.isEmpty() ? 0 : random.nextInt(s.length());
            switch (random.nextInt(7)) {
                case 0 -> s = s.substring(0, at) + pick(NASTY) + s.substring(at);
                case 1 -> s = s.substring(0, at) + pick(NASTY) + s.substring(Math.min(s.length(), at + 1));
                case 2 -> s = s.substring(0, at);
                case 3 -> {
                    List<String> lines = new ArrayList<>(s.lines().toList());
                    if (!lines.isEmpty()) {
                        int l = random.nextInt(lines.size());
                        if (random.nextBoolean()) {
                            lines.add(l, lines.get(l));
                        } else {
                            lines.remove(l);
                        }
                    }
                    s = String.join("\n", lines) + "\n";
                }
                case 4 -> s = s.substring(0, at) + "[".repeat(1200) + s.substring(at);
                case 5 -> s = s + pick(NASTY) + "\n";
                default -> s = s.substring(0, at) + "\u001b]0;title\u0007" + "z".repeat(random.nextInt(3000))
                        + s.substring(at);
            }
        }
        return s;
    }

    /** Writes a mutation of valid text; one case in eight also carries bytes that are not UTF-8. */
    String write(Path file, String valid) throws IOException {
        byte[] bytes = mutate(valid).getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(8) == 0 && bytes.length > 0) {
            bytes[random.nextInt(bytes.length)] = (byte) (0x80 | random.nextInt(0x40));
        }
        Files.write(file, bytes);
        return file.toString();
    }

    /**
     * What one in-process run printed and returned.
     *
     * @param code   the exit code
     * @param stderr what it printed on stderr
     */
    record Run(int code, String stderr) {
        /** @return the lines of stderr */
        List<String> lines() {
            return stderr.lines().toList();
        }

        /** @return whether stderr holds none of what must never reach it */
        boolean clean() {
            for (String f : FORBIDDEN) {
                if (stderr.contains(f)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * @param names the files and options the input came from
         * @return whether this is a bad-input exit with one line, of the CLI's prefix, naming one of them
         */
        boolean oneLineNaming(List<String> names) {
            List<String> lines = lines();
            // A name is found as printed: escaped, and a long one by its start.
            return code == PlacementCommand.EXIT_BAD_INPUT && lines.size() == 1
                    && lines.get(0).startsWith("placement: ") && names.stream().map(PlacementCommand::oneLine)
                            .map(n -> n.substring(0, Math.min(n.length(), 60))).anyMatch(lines.get(0)::contains);
        }
    }

    /** Runs the CLI in-process as a user would, capturing stderr. */
    static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = CapturingCli.writingTo(new StringWriter(), err).execute(args);
        return new Run(code, err.toString());
    }

    /** @return the case, printable on one line, for a failure message */
    static String describe(int i, String[] args, Run run) {
        return "case " + i + " " + String.join(" ", args).replace("\n", "\\n") + " -> exit " + run.code() + ": "
                + run.stderr();
    }
}
