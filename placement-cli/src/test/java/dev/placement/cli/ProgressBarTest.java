package dev.placement.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.placement.vllm.bench.FailureKind;
import dev.placement.vllm.bench.RequestRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void redrawsInPlaceCountsFailuresAndEndsTheLine() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text));
        RequestRecord ok = new RequestRecord(0, 0, 1, 2, List.of(1L), 1, 2, null, "");
        RequestRecord failed = new RequestRecord(1, 0, 0, 0, List.of(), 1, 0, FailureKind.TIMEOUT, "late");

        bar.runStarted(4);
        bar.requestFinished(ok, 1, 4);
        bar.requestFinished(failed, 2, 4);
        bar.requestFinished(ok, 3, 4);
        bar.requestFinished(ok, 4, 4);
        bar.runFinished(null);

        String drawn = text.toString();
        assertThat(drawn).startsWith("\r[..............................]     0/4   0%");
        assertThat(drawn).contains("\r[##############################]     4/4 100%").contains("failed 1")
                .endsWith("\n").doesNotContain("\n\r");
        assertThat(drawn.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }
}
