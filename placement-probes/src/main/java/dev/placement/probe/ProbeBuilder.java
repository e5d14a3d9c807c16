package dev.placement.probe;

import dev.placement.api.ConnectivityMap;
import java.time.Clock;
import java.util.Objects;

/**
 * What every probe's builder has: the clock that stamps the measurement. Not thread-safe, like the builders
 * that extend it.
 *
 * @param <B> the concrete builder, returned by every setter so calls chain
 */
abstract class ProbeBuilder<B extends ProbeBuilder<B>> {
    Clock clock = Clock.systemUTC();

    abstract B self();

    /**
     * @param clock the clock that stamps {@link ConnectivityMap#measuredAt()}; default system UTC
     * @return this builder
     */
    public B clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }
}
