package dev.placement.vllm;

import dev.placement.api.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The vLLM server options of a launch: the flags and environment a {@link VllmLaunchPlan} adds to the ones the
 * placement dictates. Immutable and thread-safe; build with {@link #builder()}.
 *
 * <p>The plan always sets {@code --pipeline-parallel-size}, {@code --tensor-parallel-size} (the placement's),
 * {@code --distributed-executor-backend ray}, {@code --port}, and — from the request the placement was chosen
 * for, so that vLLM runs with the memory budget it was planned under — {@code --max-model-len} and
 * {@code --gpu-memory-utilization}; and the variables {@code VLLM_PP_LAYER_PARTITION},
 * {@code VLLM_USE_RAY_V2_EXECUTOR_BACKEND} and {@code VLLM_RAY_BUNDLE_INDICES}; extra arguments and variables
 * may not override them.
 */
public final class VllmOptions {

    /** vLLM's default OpenAI server port. */
    public static final int DEFAULT_PORT = 8000;

    /** The values vLLM's {@code --dtype} accepts. */
    static final Set<String> DTYPES = Set.copyOf(Precision.DTYPES);

    /**
     * Flags the plan sets itself, by the long name vLLM registers them under; an extra argument that vLLM reads
     * as one of them would contradict the placement.
     */
    static final Set<String> MANAGED_FLAGS = Set.of("--pipeline-parallel-size", "--tensor-parallel-size",
            "--distributed-executor-backend", "--port", "--host", "--model", "--served-model-name",
            "--max-model-len", "--dtype", "--kv-cache-dtype", "--quantization", "--gpu-memory-utilization",
            "--enforce-eager",
            // Each multiplies the GPUs one server asks Ray for (replicas, or ranks per stage): the placement
            // group holds exactly the GPUs the placement plans.
            "--data-parallel-size", "--prefill-context-parallel-size");

    /** The short forms of managed flags that {@code vllm/engine/arg_utils.py} registers, with their long names. */
    static final Map<String, String> MANAGED_SHORT_FLAGS = Map.of("-pp", "--pipeline-parallel-size",
            "-tp", "--tensor-parallel-size", "-dp", "--data-parallel-size", "-pcp", "--prefill-context-parallel-size",
            "-q", "--quantization");

    /**
     * Short forms {@code vllm/engine/arg_utils.py} registers for flags the plan leaves alone that begin like a
     * managed one ({@code -dpn} is {@code --data-parallel-rank}, not {@code -dp}); argparse takes an exact name
     * first.
     */
    static final Set<String> UNMANAGED_SHORT_FLAGS = Set.of("-dpn", "-dpr", "-dpl", "-dpa", "-dpp", "-dpb", "-dph",
            "-dpe", "-dcp");

    /** Variables the plan sets itself. */
    static final Set<String> MANAGED_ENV = Set.of("VLLM_PP_LAYER_PARTITION", "VLLM_USE_RAY_V2_EXECUTOR_BACKEND",
            "VLLM_RAY_BUNDLE_INDICES");

    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    static final Pattern SERVED_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}");
    /** A Hugging Face repo id: optional owner, then a name; each of letters, digits, '.', '_', '-'. */
    static final Pattern HF_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?");
    /** An absolute path without shell metacharacters, spaces or parent references. */
    static final Pattern ABSOLUTE_PATH = Pattern.compile("(/[A-Za-z0-9._+@=-]+)+/?");

    private final String modelSource;
    private final String servedModelName;
    private final String dtype;
    private final String kvCacheDtype;
    private final int port;
    private final String host;
    private final boolean enforceEager;
    private final List<String> extraArgs;
    private final Map<String, String> extraEnv;
    private final String vllmVersion;

    private VllmOptions(Builder b) {
        this.modelSource = b.modelSource;
        this.servedModelName = b.servedModelName;
        this.dtype = b.dtype;
        this.kvCacheDtype = b.kvCacheDtype;
        this.port = b.port;
        this.host = b.host;
        this.enforceEager = b.enforceEager;
        this.extraArgs = List.copyOf(b.extraArgs);
        this.extraEnv = Map.copyOf(b.extraEnv);
        this.vllmVersion = b.vllmVersion;
    }

    /** @return a builder with vLLM's defaults: port 8000, host 0.0.0.0, no extra arguments */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the default options */
    public static VllmOptions defaults() {
        return builder().build();
    }

    /** @return what vLLM loads (a Hugging Face id or an absolute path); empty means the model's catalogue id */
    public Optional<String> modelSource() {
        return Optional.ofNullable(modelSource);
    }

    /** @return the name the server answers to in {@code /v1/models}; empty means vLLM's default (the source) */
    public Optional<String> servedModelName() {
        return Optional.ofNullable(servedModelName);
    }

    /** @return {@code --dtype}, if set */
    public Optional<String> dtype() {
        return Optional.ofNullable(dtype);
    }

    /** @return {@code --kv-cache-dtype}, if set */
    public Optional<String> kvCacheDtype() {
        return Optional.ofNullable(kvCacheDtype);
    }

    /** @return the element types the model is served in: {@link #dtype()} and {@link #kvCacheDtype()} */
    public Precision precision() {
        return new Precision(dtype == null ? "auto" : dtype, kvCacheDtype == null ? "auto" : kvCacheDtype);
    }

    /** @return the OpenAI server's TCP port on rank 0's node */
    public int port() {
        return port;
    }

    /** @return the address the server binds to */
    public String host() {
        return host;
    }

    /** @return whether {@code --enforce-eager} is passed (shorter start-up, slower decode) */
    public boolean enforceEager() {
        return enforceEager;
    }

    /** @return extra {@code vllm serve} arguments, appended in order; never null */
    public List<String> extraArgs() {
        return extraArgs;
    }

    /** @return extra environment variables for the server and its workers; never null */
    public Map<String, String> extraEnv() {
        return extraEnv;
    }

    /** @return the vLLM version the launch is meant for (a note recorded in the plan), if given */
    public Optional<String> vllmVersion() {
        return Optional.ofNullable(vllmVersion);
    }

    /** Collects options; not thread-safe. Every setter validates at once and names the option in its message. */
    public static final class Builder {
        private String modelSource;
        private String servedModelName;
        private String dtype;
        private String kvCacheDtype;
        private int port = DEFAULT_PORT;
        private String host = "0.0.0.0";
        private boolean enforceEager;
        private final List<String> extraArgs = new ArrayList<>();
        private final Map<String, String> extraEnv = new LinkedHashMap<>();
        private String vllmVersion;

        private Builder() {
        }

        /**
         * @param source a Hugging Face id ({@code owner/name}) or an absolute path without spaces or shell
         *               metacharacters; null restores the default (the model's catalogue id)
         * @return this builder
         * @throws IllegalArgumentException if the value is neither
         */
        public Builder modelSource(String source) {
            this.modelSource = source == null ? null : requireModelSource(source, "modelSource");
            return this;
        }

        /**
         * @param name the served model name, 1 to 128 of {@code [A-Za-z0-9._/:-]}; null for vLLM's default
         * @return this builder
         * @throws IllegalArgumentException if the name has other characters
         */
        public Builder servedModelName(String name) {
            if (name != null && !SERVED_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("servedModelName '" + name
                        + "' is invalid: use 1 to 128 of A-Z a-z 0-9 . _ / : - (starting with a letter or digit)");
            }
            this.servedModelName = name;
            return this;
        }

        /**
         * @param dtype one of auto, half, float16, bfloat16, float, float32 (a T4 has no bf16: use half); null
         *              for vLLM's default
         * @return this builder
         */
        public Builder dtype(String dtype) {
            if (dtype != null && !DTYPES.contains(dtype)) {
                throw new IllegalArgumentException("dtype '" + dtype + "' is not one of " + DTYPES.stream()
                        .sorted().toList());
            }
            this.dtype = dtype;
            return this;
        }

        /**
         * @param dtype one of auto, fp8, fp8_e4m3, fp8_e5m2 (vLLM's {@code --kv-cache-dtype}); null for vLLM's
         *              default (the model's dtype)
         * @return this builder
         * @throws IllegalArgumentException if the value is another
         */
        public Builder kvCacheDtype(String dtype) {
            if (dtype != null && !Precision.KV_CACHE_DTYPES.contains(dtype)) {
                throw new IllegalArgumentException("kvCacheDtype '" + dtype + "' is not one of "
                        + Precision.KV_CACHE_DTYPES);
            }
            this.kvCacheDtype = dtype;
            return this;
        }

        /**
         * @param port the server port, 1 to 65535; default 8000
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param host the bind address, an IP literal or host name; default {@code 0.0.0.0}
         * @return this builder
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host must not be null");
            if (!RemoteValues.ADDRESS.matcher(host).matches()) {
                throw new IllegalArgumentException("host '" + host + "' is not an IP address or host name");
            }
            this.host = host;
            return this;
        }

        /**
         * @param enforceEager whether to pass {@code --enforce-eager}
         * @return this builder
         */
        public Builder enforceEager(boolean enforceEager) {
            this.enforceEager = enforceEager;
            return this;
        }

        /**
         * Adds arguments for {@code vllm serve}, passed as separate arguments (never through a shell).
         *
         * <p>Each argument is checked under the name vLLM reads it as ({@link ServeOptionName}): underscores for
         * dashes ({@code --tensor_parallel_size=2}), the short forms {@code -tp} and {@code -pp} with or without a
         * value attached ({@code -tp2}, {@code -tp=2}), a dotted name ({@code --max-model-len.x}), an unambiguous
         * prefix ({@code --max-model}) and {@code --no-enforce-eager} all count as the flag they name.
         * {@code --config} is refused in every spelling: vLLM would read further flags from its YAML file.
         *
         * @param args the arguments; none may be null, hold a NUL or newline, name a flag the plan sets in any
         *             spelling vLLM accepts, or be {@code --config}
         * @return this builder
         * @throws IllegalArgumentException naming the argument, the flag vLLM reads it as and what to use instead
         */
        public Builder extraArgs(List<String> args) {
            for (String a : Objects.requireNonNull(args, "extraArgs must not be null")) {
                if (a == null || a.indexOf('\0') >= 0 || a.indexOf('\n') >= 0 || a.indexOf('\r') >= 0) {
                    throw new IllegalArgumentException("extraArgs: argument " + (a == null ? "null"
                            : "'" + a.replace("\n", "\\n") + "'") + " is invalid (null, NUL or line break)");
                }
                Optional<String> name = ServeOptionName.of(a);
                if (name.isPresent()) {
                    requireUnmanaged(a, name.get());
                }
                extraArgs.add(a);
            }
            return this;
        }

        /**
         * Refuses an argument that vLLM would read as a managed flag or as {@code --config}.
         *
         * @param arg  the argument as given
         * @param name the option name vLLM reads it as
         */
        private static void requireUnmanaged(String arg, String name) {
            if (name.startsWith("--")) {
                // argparse resolves a unique prefix of a long option to it; a prefix of --config or of a managed
                // flag is either that flag or ambiguous (an error in vLLM), so refusing it costs nothing.
                if ("--config".startsWith(name)) {
                    throw new IllegalArgumentException("extraArgs: '" + arg + "' is read by vLLM as --config, "
                            + "which loads further flags from a YAML file that the launch plan cannot check; "
                            + "pass each flag as its own argument instead");
                }
                for (String managed : MANAGED_FLAGS) {
                    String negated = "--no-" + managed.substring(2);
                    if (managed.startsWith(name) || negated.startsWith(name)) {
                        throw managed(arg, managed);
                    }
                }
            } else if (!UNMANAGED_SHORT_FLAGS.contains(name)) {
                for (Map.Entry<String, String> shortForm : MANAGED_SHORT_FLAGS.entrySet()) {
                    // -tp2 as well as -tp, -tp=2 and the prefix -t: refuse anything argparse could take for -tp.
                    if (name.startsWith(shortForm.getKey()) || shortForm.getKey().startsWith(name)) {
                        throw managed(arg, shortForm.getValue());
                    }
                }
            }
        }

        private static IllegalArgumentException managed(String arg, String flag) {
            return new IllegalArgumentException("extraArgs: '" + arg + "' is read by vLLM as " + flag
                    + ", which is set by the launch plan or by its own option; use that option instead");
        }

        /**
         * Adds an environment variable for the server and its Ray workers.
         *
         * @param name  a variable name ({@code [A-Za-z_][A-Za-z0-9_]*}), not one the plan sets
         * @param value its value; no NUL or line break
         * @return this builder
         */
        public Builder extraEnv(String name, String value) {
            Objects.requireNonNull(name, "extraEnv name must not be null");
            Objects.requireNonNull(value, () -> "extraEnv " + name + " value must not be null");
            if (!ENV_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("extraEnv: '" + name
                        + "' is not a valid variable name (letters, digits and _, not starting with a digit)");
            }
            if (MANAGED_ENV.contains(name)) {
                throw new IllegalArgumentException("extraEnv: " + name + " is set by the launch plan");
            }
            if (value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("extraEnv: the value of " + name + " has a NUL or line break");
            }
            extraEnv.put(name, value);
            return this;
        }

        /**
         * @param version the vLLM version the launch is meant for, recorded in the plan (for example
         *                {@code 0.11.0}); null for none
         * @return this builder
         */
        public Builder vllmVersion(String version) {
            if (version != null && !version.matches("[A-Za-z0-9.+_-]{1,40}")) {
                throw new IllegalArgumentException("vllmVersion '" + version + "' is not a version string");
            }
            this.vllmVersion = version;
            return this;
        }

        /** @return the options */
        public VllmOptions build() {
            return new VllmOptions(this);
        }
    }

    /**
     * Checks a model source: a Hugging Face id or an absolute path without shell metacharacters.
     *
     * @param source the value
     * @param field  the option or field it came from, for the message
     * @return the value
     * @throws IllegalArgumentException if it is neither
     */
    static String requireModelSource(String source, String field) {
        Objects.requireNonNull(source, () -> field + " must not be null");
        boolean ok = source.startsWith("/")
                ? ABSOLUTE_PATH.matcher(source).matches() && !source.contains("/../") && !source.endsWith("/..")
                : HF_ID.matcher(source).matches() && !source.contains("..");
        if (!ok) {
            throw new IllegalArgumentException(field + " '" + source + "' is neither a Hugging Face id "
                    + "(owner/name of letters, digits, . _ -) nor an absolute path without spaces, '..' or "
                    + "shell metacharacters");
        }
        return source;
    }
}
