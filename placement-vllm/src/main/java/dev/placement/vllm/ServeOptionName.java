package dev.placement.vllm;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The option name {@code vllm serve} reads a command-line argument as, so that an extra argument can be checked
 * against the flags the launch plan sets whatever spelling it uses. Stateless.
 *
 * <p>The rules are those of vLLM's {@code FlexibleArgumentParser.parse_args} in
 * {@code vllm/utils/argparse_utils.py} (vllm-project/vllm, read in December 2026) followed by Python's
 * {@code argparse}:
 * <ul>
 *   <li>in an argument starting with {@code --}, the name is what comes before the first {@code =}, and every
 *       underscore between the leading {@code --} and the first {@code .} becomes a dash
 *       ({@code --tensor_parallel_size=2} is {@code --tensor-parallel-size});</li>
 *   <li>a name with a dot ({@code --max-model-len.x 1}) is a "dotted" argument: vLLM folds it into a JSON
 *       value for the option named before the first dot;</li>
 *   <li>{@code -O3}, {@code -O=3} and {@code -O 3} are {@code --optimization-level};</li>
 *   <li>single-dash names are not rewritten; the short forms {@code -pp} and {@code -tp} are registered with
 *       {@code --pipeline-parallel-size} and {@code --tensor-parallel-size} in {@code vllm/engine/arg_utils.py}
 *       ({@code EngineArgs.add_cli_args}), and argparse reads {@code -tp=2} as {@code -tp 2};</li>
 *   <li>argparse accepts an unambiguous prefix of a long option ({@code allow_abbrev} is left at its default,
 *       true), so {@code --max-model 8192} reaches {@code --max-model-len};</li>
 *   <li>{@code --config FILE} makes vLLM read further options from a YAML file ({@code _pull_args_from_config},
 *       {@code load_config_file}), which no check of the command line can see.</li>
 * </ul>
 */
final class ServeOptionName {

    /** What argparse takes for a negative number rather than an option (its {@code _negative_number_matcher}). */
    private static final Pattern NEGATIVE_NUMBER = Pattern.compile("-\\d+|-\\d*\\.\\d+");

    private ServeOptionName() {
    }

    /**
     * @param arg one argument of {@code vllm serve}
     * @return the option name vLLM reads it as ({@code --tensor-parallel-size} for {@code --tensor_parallel_size=2},
     *         {@code -tp} for {@code -tp=2}, {@code --optimization-level} for {@code -O3}); empty for a value
     *         (anything not starting with a dash, a negative number, {@code -} or {@code --})
     */
    static Optional<String> of(String arg) {
        if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--") || NEGATIVE_NUMBER.matcher(arg).matches()) {
            return Optional.empty();
        }
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        if (name.contains(".")) {
            name = name.substring(0, name.indexOf('.'));
        }
        if (name.startsWith("--")) {
            return Optional.of("--" + name.substring(2).replace('_', '-'));
        }
        if (arg.startsWith("-O")) {
            return Optional.of("--optimization-level");
        }
        return Optional.of(name);
    }
}
