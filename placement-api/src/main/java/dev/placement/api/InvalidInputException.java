package dev.placement.api;

/**
 * Input from a file, an option or an answer was invalid. The message names where it came from, the field,
 * the value and what would be valid, for example
 * {@code cluster.yaml: nodes[1].gpu: unknown GPU 'T5'; known GPUs: T4, A10, ...}.
 */
public class InvalidInputException extends PlacementException {
    private static final long serialVersionUID = 1L;

    /** The file or option the input came from, for example {@code "cluster.yaml"}. */
    private final String source;
    /** The field path, for example {@code "nodes[1].gpu"}, or {@code null} for the whole input. */
    private final String field;
    /** What is wrong and what would be valid, without the source and field. */
    private final String problem;

    /**
     * @param source  the file or option the input came from, for example {@code "cluster.yaml"}
     * @param field   the field path, for example {@code "nodes[1].gpu"}, or {@code null} for the whole input
     * @param problem what is wrong and what would be valid
     */
    public InvalidInputException(String source, String field, String problem) {
        super(source + ": " + (field == null ? "" : field + ": ") + problem);
        this.source = source;
        this.field = field;
        this.problem = problem;
    }

    /**
     * @param source  the file or option the input came from
     * @param field   the field path, or {@code null}
     * @param problem what is wrong and what would be valid
     * @param cause   the underlying failure
     */
    public InvalidInputException(String source, String field, String problem, Throwable cause) {
        super(source + ": " + (field == null ? "" : field + ": ") + problem, cause);
        this.source = source;
        this.field = field;
        this.problem = problem;
    }

    /** @return the file or option the input came from */
    public String source() {
        return source;
    }

    /** @return the field path, or {@code null} */
    public String field() {
        return field;
    }

    /**
     * @return what is wrong and what would be valid, without the source and field; so that a reader of a file
     *         that embeds another's format can name the problem under its own field
     */
    public String problem() {
        return problem;
    }
}
