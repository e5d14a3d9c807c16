package dev.placement.core.llm;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.Placement;
import dev.placement.api.PlacementRequest;
import dev.placement.core.PerformanceModel;
import dev.placement.core.Prediction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link ParsedAnswer} into a placement that can run, or into the list of everything wrong with it:
 * known nodes (by id, or by index in the cluster's order: {@code Node 0} is the first node), no node twice (a
 * node given the same range twice is read once), no zero-layer stage listed as used, a list of used nodes that
 * names the nodes given layers, contiguous ranges without gaps or overlaps (and, where only some stages give a
 * range, ranges that agree with the order the answer lists the stages in); then what
 * {@link PlacementRequest#problemsWith} finds (counts summing to the model's layers, reachable nodes, the
 * required first node, known links between neighbours); and — through the {@link PerformanceModel} — memory
 * and the return hop. The valid placement comes with its prediction, which the decision carries on.
 * Immutable and thread-safe.
 */
final class AnswerValidator {

    private static final Pattern INDEX_REF = Pattern.compile("(?i)(?:node|rank|gpu|stage)?\\s*#?\\s*(\\d{1,4})");

    private final PerformanceModel model;

    AnswerValidator(PerformanceModel model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * The outcome of validation: a placement with its prediction, or the problems.
     *
     * @param placement  the valid placement, or {@code null}
     * @param prediction its prediction (fits), or {@code null}
     * @param problems   every problem found; empty exactly when the placement is valid
     */
    record Result(Placement placement, Prediction prediction, List<String> problems) {
        Result {
            problems = List.copyOf(problems);
        }

        boolean valid() {
            return problems.isEmpty();
        }

        static Result invalid(List<String> problems) {
            return new Result(null, null, problems);
        }
    }

    Result validate(ParsedAnswer answer, PlacementRequest request) {
        if (!answer.problems().isEmpty()) {
            return Result.invalid(answer.problems());
        }
        ClusterSnapshot cluster = request.cluster();
        int modelLayers = request.model().layers();
        List<String> problems = new ArrayList<>();
        List<ParsedAnswer.Entry> entries = answer.entries();

        List<String> ids = resolve(entries, cluster, problems);
        if (!problems.isEmpty()) {
            // The nodes are unknown, but the counts can still be checked, so one repair round can fix both.
            int sum = entries.stream().mapToInt(ParsedAnswer.Entry::layers).sum();
            if (sum != modelLayers && !ids.isEmpty()) {
                problems.add(sumProblem(entries.stream().map(ParsedAnswer.Entry::layers).filter(c -> c > 0)
                        .toList(), sum, modelLayers));
            }
            return Result.invalid(problems);
        }
        List<Integer> read = distinctShares(entries, ids);
        // Zero means "left out"; it is an error only where the answer also declared the node as used.
        List<Integer> used = new ArrayList<>();
        List<String> declaredIds = declaredIds(answer, cluster.nodeIds());
        for (int i : read) {
            ParsedAnswer.Entry e = entries.get(i);
            if (e.layers() > 0) {
                used.add(i);
            } else if (e.listedAsUsed() || (declaredIds != null && declaredIds.contains(ids.get(i)))) {
                problems.add("node '" + ids.get(i) + "' is listed as used but has 0 layers; a used node holds at "
                        + "least 1 layer, so leave a node out of nodes_used to exclude it");
            }
        }
        if (answer.declaredCount() != null && answer.declaredCount() != used.size()) {
            problems.add("the answer says " + answer.declaredCount() + " nodes are used but gives layers to "
                    + used.size());
        }
        problems.addAll(listDisagreements(declaredIds, read, used, ids));
        if (used.isEmpty()) {
            problems.add("no node gets any layers; the model's " + modelLayers + " layers must be placed");
            return Result.invalid(problems);
        }
        Set<String> seen = new HashSet<>();
        for (int i : used) {
            if (!seen.add(ids.get(i))) {
                problems.add("node '" + ids.get(i) + "' is given layers more than once; each node holds at most "
                        + "one contiguous stage");
            }
        }
        boolean unique = seen.size() == used.size();
        List<Integer> order = pipelineOrder(entries, ids, used, modelLayers, problems);
        List<String> stageIds = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int i : order) {
            stageIds.add(ids.get(i));
            counts.add(entries.get(i).layers());
        }
        Placement placement = null;
        if (unique) {
            placement = Placement.of(stageIds, counts);
            problems.addAll(request.problemsWith(placement));
        } else {
            int sum = counts.stream().mapToInt(Integer::intValue).sum();
            if (sum != modelLayers) {
                problems.add(sumProblem(counts, sum, modelLayers));
            }
        }
        if (!problems.isEmpty()) {
            return Result.invalid(problems);
        }
        Prediction prediction;
        try {
            prediction = model.predict(placement, request);
        } catch (IllegalArgumentException e) {
            return Result.invalid(List.of(e.getMessage()));
        }
        if (!prediction.fits()) {
            return Result.invalid(List.of("placement " + placement.toSpec() + " cannot run: "
                    + prediction.infeasibleReason()));
        }
        return new Result(placement, prediction, List.of());
    }

    private static String sumProblem(List<Integer> counts, int sum, int modelLayers) {
        return "the layer counts " + counts + " sum to " + sum + " but the model has " + modelLayers
                + " layers; the counts must sum to exactly " + modelLayers;
    }

    /** Maps every entry to a node id of the cluster, by id or by index, consistently across the answer. */
    private static List<String> resolve(List<ParsedAnswer.Entry> entries, ClusterSnapshot cluster,
            List<String> problems) {
        List<String> known = cluster.nodeIds();
        List<String> out = new ArrayList<>();
        boolean bare = entries.stream().anyMatch(e -> e.nodeRef() == null);
        if (bare) {
            if (entries.size() != known.size()) {
                problems.add("a layer partition of " + entries.size() + " values without node names cannot be "
                        + "mapped to the " + known.size() + " nodes " + known + "; name the node of each count");
                return out;
            }
            return new ArrayList<>(known);
        }
        boolean allIds = entries.stream().allMatch(e -> idOf(e.altRef(), known) != null
                || idOf(e.nodeRef(), known) != null);
        // An answer that numbers its nodes ("Node 0", "Node 1") throughout means indices, even when some of
        // the numbers happen to look like ids; one that names every node by id means ids.
        boolean allIndices = !allIds && entries.stream().allMatch(e -> index(e.nodeRef()) != null
                && !known.contains(e.nodeRef().strip()));
        for (ParsedAnswer.Entry e : entries) {
            String id = allIndices ? idOf(e.altRef(), known) : idOf(e.altRef(), known) != null
                    ? idOf(e.altRef(), known) : idOf(e.nodeRef(), known);
            if (id == null) {
                id = byIndex(e.nodeRef(), known);
            }
            if (id == null) {
                problems.add("unknown node '" + AnswerParser.clip(e.nodeRef()) + "'; the cluster's nodes are "
                        + String.join(", ", known) + " (Node 0 to Node " + (known.size() - 1) + " by index)");
            }
            out.add(id);
        }
        return out;
    }

    /** @return the cluster's id for a reference (exact, then ignoring case and spaces), or null */
    private static String idOf(String ref, List<String> known) {
        if (ref == null) {
            return null;
        }
        String r = ref.strip();
        if (known.contains(r)) {
            return r;
        }
        String squeezed = r.replaceAll("\\s+", "").toLowerCase(Locale.ROOT);
        for (String id : known) {
            if (id.toLowerCase(Locale.ROOT).equals(squeezed)) {
                return id;
            }
        }
        return null;
    }

    private static Integer index(String ref) {
        if (ref == null) {
            return null;
        }
        Matcher m = INDEX_REF.matcher(ref.strip());
        return m.matches() ? Integer.valueOf(m.group(1)) : null;
    }

    /** @return the cluster's node at the index a reference gives ("Node 1", "rank 2", "1"), or null */
    private static String byIndex(String ref, List<String> known) {
        Integer index = index(ref);
        return index != null && index < known.size() ? known.get(index) : null;
    }

    /**
     * The cluster's ids of the nodes the answer lists as used, in its order, with null for a name that matches no
     * node; null if the answer lists none.
     */
    private static List<String> declaredIds(ParsedAnswer answer, List<String> known) {
        if (answer.declaredUsed() == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String ref : answer.declaredUsed()) {
            String id = idOf(ref, known);
            out.add(id != null ? id : byIndex(ref, known));
        }
        return out;
    }

    /**
     * The entries to read, in their order: a node given the same layer range again is read once, so that an
     * answer that sums its per-node lines up on one line (or the reverse) is not taken to give the node two
     * stages. The same count given twice stays ambiguous and is reported as two stages.
     */
    private static List<Integer> distinctShares(List<ParsedAnswer.Entry> entries, List<String> ids) {
        List<Integer> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            ParsedAnswer.Entry e = entries.get(i);
            if (e.firstLayer() == null || seen.add(ids.get(i) + ":" + e.firstLayer() + "-" + e.lastLayer())) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Where the answer both lists its used nodes and gives nodes their layers, the two must name the same nodes,
     * else it is unclear which the answer meant. A list with a name that matches no node is not compared: such
     * lists are read loosely ({@code node0 (rank 0)}) and the assignment alone then decides.
     */
    private static List<String> listDisagreements(List<String> declaredIds, List<Integer> read, List<Integer> used,
            List<String> ids) {
        if (declaredIds == null || declaredIds.contains(null)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i : used) {
            if (!declaredIds.contains(ids.get(i))) {
                out.add("node '" + ids.get(i) + "' gets layers but is not among the nodes the answer says it uses ("
                        + String.join(", ", declaredIds) + "); list every node that holds layers");
            }
        }
        Set<String> given = new HashSet<>();
        read.forEach(i -> given.add(ids.get(i)));
        for (String id : new LinkedHashSet<>(declaredIds)) {
            if (!given.contains(id)) {
                out.add("node '" + id + "' is among the nodes the answer says it uses but is given no layers");
            }
        }
        return out;
    }

    /**
     * The used entries in pipeline order: by range when every used entry gave one (checking that the ranges
     * are contiguous from layer 0, or from layer 1 when the answer counts from one), else as written.
     */
    private static List<Integer> pipelineOrder(List<ParsedAnswer.Entry> entries, List<String> ids,
            List<Integer> used, int modelLayers, List<String> problems) {
        boolean allRanges = used.stream().allMatch(i -> entries.get(i).firstLayer() != null);
        if (!allRanges) {
            rangesMatchWrittenOrder(entries, ids, used, problems);
            return used;
        }
        List<Integer> order = new ArrayList<>(used);
        order.sort(Comparator.comparingInt(i -> entries.get(i).firstLayer()));
        int base = entries.get(order.get(0)).firstLayer();
        int lastLayer = entries.get(order.get(order.size() - 1)).lastLayer();
        boolean oneBased = base == 1 && lastLayer == modelLayers;
        if (base != 0 && !oneBased) {
            problems.add("the first stage starts at layer " + base + " but must start at layer 0");
        }
        int next = base;
        for (int i : order) {
            ParsedAnswer.Entry e = entries.get(i);
            if (e.firstLayer() != next) {
                problems.add("layer range " + e.firstLayer() + "-" + e.lastLayer() + " of '" + written(e, ids.get(i))
                        + "' should start at layer " + next
                        + (e.firstLayer() > next ? " (layers " + next + "-" + (e.firstLayer() - 1) + " are missing)"
                        : " (it overlaps the previous stage)") + "; stages must be contiguous");
            }
            next = e.lastLayer() + 1;
        }
        return order;
    }

    /**
     * Where only some used entries give a layer range, the answer's order is the pipeline's; each range must then
     * start where that order puts its stage (counting from layer 0, or from layer 1 throughout), else the answer
     * contradicts itself about the order.
     */
    private static void rangesMatchWrittenOrder(List<ParsedAnswer.Entry> entries, List<String> ids,
            List<Integer> used, List<String> problems) {
        int start = 0;
        Integer base = null;
        for (int k = 0; k < used.size(); k++) {
            ParsedAnswer.Entry e = entries.get(used.get(k));
            if (e.firstLayer() != null) {
                if (base == null) {
                    base = e.firstLayer() == start + 1 ? 1 : 0;
                }
                if (e.firstLayer() != start + base) {
                    problems.add("the answer lists '" + written(e, ids.get(used.get(k))) + "' as stage " + (k + 1)
                            + ", which starts at layer " + (start + base) + ", but gives it layers "
                            + e.firstLayer() + "-" + e.lastLayer() + "; give every used node a layer range, or "
                            + "list the nodes in pipeline order");
                }
            }
            start += e.layers();
        }
    }

    /** @return the node as the answer wrote it, or its id where the answer gave a bare partition */
    private static String written(ParsedAnswer.Entry e, String id) {
        return e.nodeRef() == null ? id : AnswerParser.clip(e.nodeRef());
    }
}
