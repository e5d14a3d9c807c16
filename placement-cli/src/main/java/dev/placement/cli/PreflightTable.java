package dev.placement.cli;

import dev.placement.vllm.PreflightReport;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code launch --preflight}'s output: one row per planned node (rank, node, the IP Ray uses, Ray's and vLLM's
 * versions, Ray's GPU count, the GPU with the most free memory, which planned nodes its Ray port check reached),
 * then what blocks the launch and what to know, and a last line with the verdict. Stateless.
 */
final class PreflightTable {
    private static final String[] HEADER = {"rank", "node", "Ray address", "Ray", "vLLM", "GPUs",
        "GPU memory (free/total)", "reaches"};

    private PreflightTable() {
    }

    /** @return the table and lists, each line ending in a newline */
    static String render(PreflightReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (PreflightReport.NodeReport n : report.nodes()) {
            boolean ran = n.rayVersion() != null;
            rows.add(new String[] {Integer.toString(n.rank()), n.nodeId(), orElse(n.rayAddress(), "not in Ray"),
                ran ? n.rayVersion() : "?", ran ? orElse(n.vllmVersion(), "missing") : "?",
                n.rayAddress() == null ? "?" : gpus(n.rayGpus()), memory(n), reaches(n)});
        }
        StringBuilder out = new StringBuilder(Columns.render(rows));
        list(out, "blocking", report.blockers());
        list(out, "warnings", report.warnings());
        out.append(report.blocked() ? "preflight: " + report.blockers().size() + " problem"
                + (report.blockers().size() == 1 ? "" : "s") + " would block the launch\n"
                : "preflight: nothing blocks the launch\n");
        return out.toString();
    }

    private static void list(StringBuilder out, String title, List<String> lines) {
        if (!lines.isEmpty()) {
            out.append('\n').append(title).append(":\n");
            lines.forEach(l -> out.append("  - ").append(l).append('\n'));
        }
    }

    private static String memory(PreflightReport.NodeReport n) {
        return n.mostFreeGpu().map(g -> g.name() + " " + mib(g.freeMib()) + "/" + mib(g.totalMib()) + " MiB"
                + (n.gpus().size() > 1 ? " (+" + (n.gpus().size() - 1) + ")" : "")).orElse("?");
    }

    private static String reaches(PreflightReport.NodeReport n) {
        if (n.reaches().isEmpty()) {
            return n.rayVersion() == null ? "?" : "-";
        }
        List<String> failed = n.reaches().stream().filter(r -> !r.reachable()).map(PreflightReport.Reach::nodeId)
                .toList();
        return failed.isEmpty() ? "all" : "not " + String.join(", ", failed);
    }

    private static String mib(long value) {
        return value < 0 ? "?" : Long.toString(value);
    }

    private static String gpus(double count) {
        return count == Math.rint(count) ? Long.toString((long) count) : Double.toString(count);
    }

    private static String orElse(String value, String otherwise) {
        return value != null ? value : otherwise;
    }
}
