package dev.placement.core.llm;

import java.util.List;

/**
 * What the {@link AnswerParser} read from an answer, before it is checked against the cluster and the model.
 * Node references are kept as written ({@code "Node 0"}, {@code "node1"}, {@code "1"}); the validator maps
 * them to the cluster's nodes.
 *
 * @param entries       the layer assignments in the order the answer gave them
 * @param declaredUsed  the nodes the answer says it uses, as written, or {@code null} if it did not list them
 * @param declaredCount how many nodes the answer says it uses, or {@code null} if it did not say
 * @param rationale     the answer's reasons, or {@code null}
 * @param problems      what could not be read; empty when the answer was read completely
 */
record ParsedAnswer(List<Entry> entries, List<String> declaredUsed, Integer declaredCount, String rationale,
        List<String> problems) {

    ParsedAnswer {
        entries = List.copyOf(entries);
        declaredUsed = declaredUsed == null ? null : List.copyOf(declaredUsed);
        problems = List.copyOf(problems);
    }

    /**
     * One node's share, as the answer wrote it.
     *
     * @param nodeRef    the node as written, or {@code null} for a bare layer partition such as {@code "20, 20"}
     * @param altRef     a second name given for the same node in parentheses ({@code "Node 0 (node1)"}), or
     *                   {@code null}
     * @param layers     how many layers; 0 means the node is left out
     * @param firstLayer the first layer of a range the answer gave, or {@code null}
     * @param lastLayer  the last layer (inclusive) of that range, or {@code null}
     * @param listedAsUsed whether the answer explicitly declared this node as used (JSON {@code nodes_used})
     */
    record Entry(String nodeRef, String altRef, int layers, Integer firstLayer, Integer lastLayer,
            boolean listedAsUsed) {
    }
}
