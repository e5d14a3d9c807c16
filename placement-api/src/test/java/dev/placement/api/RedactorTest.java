package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RedactorTest {

    @Test
    void replacesEveryOccurrenceOfEverySecret() {
        Redactor r = Redactor.of("sk-abc123", "rt-token-9");
        assertThat(r.redact("HTTP 500: {\"key\":\"sk-abc123\",\"token\":\"rt-token-9\",\"again\":\"sk-abc123\"}"))
                .isEqualTo("HTTP 500: {\"key\":\"***\",\"token\":\"***\",\"again\":\"***\"}");
    }

    @Test
    void replacesALongerSecretWholeWhenItContainsAShorterOne() {
        assertThat(Redactor.of("abcd", "abcdefgh").redact("x abcdefgh y")).isEqualTo("x *** y");
    }

    @Test
    void skipsNullBlankAndTooShortValuesAndNeverShowsValues() {
        Redactor r = Redactor.of(Arrays.asList(null, " ", "ab", "longenough"));
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.redact("ab longenough")).isEqualTo("ab ***");
        assertThat(r.toString()).doesNotContain("longenough");
        assertThat(Redactor.none().redact(null)).isNull();
    }

    @Test
    void combinesTwoRedactors() {
        assertThat(Redactor.of("first-secret").and(Redactor.of("second-secret"))
                .redact("first-secret second-secret")).isEqualTo("*** ***");
    }
}
