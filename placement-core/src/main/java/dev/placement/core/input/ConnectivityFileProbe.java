package dev.placement.core.input;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.InvalidInputException;
import dev.placement.api.LatencyProbe;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * A "probe" that reads the links from a connectivity file at every measurement, for experiments that shape the
 * links by hand (with {@code tc netem}, as the research did) and write what they set into the file: edit the
 * file and the next tick sees the new links.
 *
 * <p>The file has the format of {@link ClusterFiles#readConnectivity}; it is read whole each time (at most
 * 4 MiB) and may name every node of the declared cluster, including nodes that are not up now. A file that
 * cannot be read or is invalid (half-written, say) fails that measurement with the file's own error, and the
 * orchestrator tries again at its next tick. Thread-safe.
 */
public final class ConnectivityFileProbe implements LatencyProbe {
    private final Path file;
    private final ClusterSnapshot declared;
    private final Clock clock;

    /**
     * @param file     the connectivity file; not null (it need not exist yet)
     * @param declared the cluster whose nodes the file may name, usually the cluster file's; not null
     * @param clock    stamps each map with the time it was read; not null
     */
    public ConnectivityFileProbe(Path file, ClusterSnapshot declared, Clock clock) {
        this.file = Objects.requireNonNull(file, "file");
        this.declared = Objects.requireNonNull(declared, "declared");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Reads the file now.
     *
     * @param cluster the nodes up now (the file is checked against the declared cluster instead)
     * @return the file's links, measured now
     * @throws InvalidInputException naming the file, field and value if the file is missing or invalid
     */
    @Override
    public ConnectivityMap measure(ClusterSnapshot cluster) {
        return ClusterFiles.readConnectivity(file, declared).toBuilder().measuredAt(clock.instant()).build();
    }

    @Override
    public String toString() {
        return "ConnectivityFileProbe[" + file + "]";
    }
}
