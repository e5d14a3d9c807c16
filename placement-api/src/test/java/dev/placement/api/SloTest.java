package dev.placement.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SloTest {

    @Test
    void parsesAnySubsetInAnyOrderWithEitherSeparator() {
        Slo slo = Slo.parse(" tpot=150, ttft:2000 ");
        assertThat(slo).isEqualTo(new Slo(2000.0, null, 150.0, null));
        assertThat(slo.toSpec()).isEqualTo("ttft=2000,tpot=150");
        assertThat(Slo.parse("e2el=12.5,itl=40").toSpec()).isEqualTo("itl=40,e2el=12.5");
        assertThat(Slo.NONE.toSpec()).isEqualTo("none");
        assertThat(Slo.NONE.isNone()).isTrue();
    }

    @Test
    void aBadEntryIsNamed() {
        assertThatThrownBy(() -> Slo.parse("ttft=2000,speed=3")).hasMessageContaining("unknown SLO key 'speed'");
        assertThatThrownBy(() -> Slo.parse("ttft")).hasMessageContaining("'ttft' is not KEY=MS");
        assertThatThrownBy(() -> Slo.parse("ttft=-1")).hasMessageContaining("positive number of ms, was -1");
        assertThatThrownBy(() -> Slo.parse("ttft=fast")).hasMessageContaining("was 'fast'");
        assertThatThrownBy(() -> Slo.parse("ttft=1,ttft=2")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> Slo.parse(" ")).hasMessageContaining("empty SLO");
        assertThatThrownBy(() -> new Slo(Double.NaN, null, null, null)).hasMessageContaining("slo.ttft");
    }

    @Test
    void aRequestMeetsItWhenEveryPresentBoundHoldsInclusively() {
        Slo slo = new Slo(100.0, null, 20.0, null);
        assertThat(slo.meets(100, 1e9, 20, 1e9)).isTrue();
        assertThat(slo.meets(100.001, 0, 0, 0)).isFalse();
        assertThat(slo.meets(0, 0, 20.5, 0)).isFalse();
        assertThat(Slo.NONE.meets(1e9, 1e9, 1e9, 1e9)).isTrue();
    }

    @Test
    void goodputNeedsAnSlo() {
        assertThatThrownBy(() -> Objective.of(Objective.Goal.GOODPUT)).hasMessageContaining("needs at least one SLO");
        Objective o = Objective.maximizeGoodput(Slo.parse("ttft=500"));
        assertThat(o.withGoal(Objective.Goal.ITL).slo()).isEqualTo(o.slo());
        assertThat(Objective.Goal.parse("GoodPut")).isEqualTo(Objective.Goal.GOODPUT);
    }
}
