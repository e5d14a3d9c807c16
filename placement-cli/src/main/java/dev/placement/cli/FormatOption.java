package dev.placement.cli;

import dev.placement.api.InvalidInputException;
import picocli.CommandLine.Option;

/** The {@code --format table|json} of a listing command, as a picocli mixin. Not thread-safe. */
final class FormatOption {
    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table (for a person, the default) or json.")
    String format;

    /**
     * @return whether JSON was asked for
     * @throws InvalidInputException if the format is neither table nor json
     */
    boolean json() {
        if (!format.equals("table") && !format.equals("json")) {
            throw new InvalidInputException("--format", null, "unknown format '" + format + "'; valid formats: "
                    + "table, json");
        }
        return format.equals("json");
    }
}
