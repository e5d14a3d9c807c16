package dev.placement.cli;

import dev.placement.vllm.bench.BenchmarkListener;
import dev.placement.vllm.bench.BenchmarkResult;
import dev.placement.vllm.bench.RequestRecord;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Objects;

/**
 * Draws a one-line progress bar, redrawn in place with a carriage return, for long benchmark runs:
 * {@code [##########..........]  512/1000  51%  req/s 8.4  failed 0  61 s}. Meant for a terminal's stderr.
 *
 * <p>Thread-safe: redraws are serialised and throttled to one per {@code minRedrawNanos}, so that hundreds of
 * streams finishing together cost the measuring threads almost nothing. A CLI helper, not part of the library.
 */
final class ProgressBar implements BenchmarkListener {
    private static final int WIDTH = 30;
    private static final long MIN_REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private long startNanos;
    private long lastDrawNanos;
    private int failed;

    /** @param out where to draw, usually a terminal's stderr; flushed after every redraw */
    ProgressBar(PrintWriter out) {
        this.out = Objects.requireNonNull(out, "out must not be null");
    }

    @Override
    public synchronized void runStarted(int totalRequests) {
        startNanos = System.nanoTime();
        draw(0, totalRequests);
    }

    @Override
    public synchronized void requestFinished(RequestRecord record, int finished, int totalRequests) {
        if (!record.succeeded()) {
            failed++;
        }
        long now = System.nanoTime();
        if (finished == totalRequests || now - lastDrawNanos >= MIN_REDRAW_NANOS) {
            lastDrawNanos = now;
            draw(finished, totalRequests);
        }
    }

    @Override
    public synchronized void runFinished(BenchmarkResult result) {
        out.print('\n');
        out.flush();
    }

    private void draw(int finished, int total) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        int filled = total == 0 ? WIDTH : (int) ((long) finished * WIDTH / total);
        out.print(String.format(Locale.ROOT, "\r[%s%s] %5d/%d %3d%%  req/s %.1f  failed %d  %.0f s",
                "#".repeat(filled), ".".repeat(WIDTH - filled), finished, total,
                total == 0 ? 100 : finished * 100L / total, seconds > 0 ? finished / seconds : 0.0, failed,
                seconds));
        out.flush();
    }
}
