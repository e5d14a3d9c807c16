package dev.placement.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when told to: simulations and tests advance it instead of sleeping, so a
 * 60-second restart takes no real time.
 *
 * <p>Thread-safe: the instant is held in an atomic reference; every clock derived with {@link #withZone}
 * shares it.
 */
public final class SimulatedClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private SimulatedClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /**
     * A clock standing at an instant, in UTC.
     *
     * @param start the initial instant; not null
     * @return the clock
     */
    public static SimulatedClock at(Instant start) {
        return new SimulatedClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
    }

    /**
     * Moves the clock forward.
     *
     * @param duration how far; not negative
     * @return the new instant
     * @throws IllegalArgumentException if the duration is negative (time never runs backwards)
     */
    public Instant advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a clock cannot go back; duration was " + duration);
        }
        return now.updateAndGet(t -> t.plus(duration));
    }

    /**
     * Moves the clock to an instant, if it is later than now.
     *
     * @param instant the instant to move to; an earlier one leaves the clock unchanged
     * @return the instant the clock shows afterwards
     */
    public Instant advanceTo(Instant instant) {
        Objects.requireNonNull(instant, "instant");
        return now.updateAndGet(t -> instant.isAfter(t) ? instant : t);
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new SimulatedClock(now, Objects.requireNonNull(newZone, "zone"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public String toString() {
        return "SimulatedClock[" + now.get() + "]";
    }
}
