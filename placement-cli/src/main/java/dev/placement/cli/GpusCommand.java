package dev.placement.cli;

import dev.placement.api.GpuCatalog;
import dev.placement.api.GpuSpec;
import dev.placement.api.IntraNodeLink;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code placement gpus}: lists the built-in GPUs with their figures and sources. Not thread-safe. */
@Command(name = "gpus", mixinStandardHelpOptions = true, versionProvider = PlacementCommand.Version.class,
        header = "List the built-in GPUs with their figures and sources.",
        description = {"The names a cluster file's 'gpu' field takes (case, spaces and dashes ignored)."},
        footer = {"", "Examples:", "  placement gpus", "  placement gpus --format json"})
final class GpusCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    FormatOption format = new FormatOption();

    @Override
    public Integer call() {
        boolean json = format.json();
        List<GpuCatalog.Entry> entries = GpuCatalog.builtIn().entries();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (GpuCatalog.Entry e : entries) {
                GpuSpec g = e.gpu();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", g.name());
                m.put("memoryBytes", g.memoryBytes());
                m.put("memoryBandwidthBytesPerSecond", g.memoryBandwidthBytesPerSecond());
                m.put("fp16FlopsPerSecond", g.fp16FlopsPerSecond());
                m.put("computeCapability", g.computeCapability());
                IntraNodeLink link = g.intraNodeLink();
                m.put("intraNodeLink", link == null ? null : Map.of("kind", link.kind().cliName(),
                        "bandwidthBytesPerSecond", link.bandwidthBytesPerSecond(), "allReduceMicros",
                        link.allReduceLatencyMicros()));
                m.put("source", e.source());
                list.add(m);
            }
            out.println(ModelsCommand.json(list));
        } else {
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"name", "memory", "bandwidth", "FP16", "compute capability", "between GPUs"});
            for (GpuCatalog.Entry e : entries) {
                GpuSpec g = e.gpu();
                rows.add(new String[] {g.name(), String.format(Locale.ROOT, "%.0f GiB", g.memoryBytes() / 1073741824.0),
                    String.format(Locale.ROOT, "%.1f GB/s", g.memoryBandwidthBytesPerSecond() / 1e9),
                    String.format(Locale.ROOT, "%.1f TFLOP/s", g.fp16FlopsPerSecond() / 1e12),
                    String.format(Locale.ROOT, "%.1f", g.computeCapability()),
                    g.intraNodeLink() == null ? "none" : g.intraNodeLink().describe()});
            }
            out.print(Columns.render(rows));
            out.println();
            out.println("Sources:");
            entries.forEach(e -> out.println("  " + e.gpu().name() + ": " + e.source()));
        }
        out.flush();
        return 0;
    }
}
