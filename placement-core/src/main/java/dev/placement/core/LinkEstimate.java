package dev.placement.core;

/**
 * The performance model's terms for one crossing of a pipeline link.
 *
 * @param fromNodeId              the sending node
 * @param toNodeId                the receiving node
 * @param returnHop               whether this is the hop from the last stage back to the driver on rank 0
 * @param known                   whether an RTT is known for the link; an unknown link makes a placement
 *                                infeasible
 * @param rttMillis               the measured RTT in ms, or {@code NaN} when unknown
 * @param bandwidthBytesPerSecond the measured bandwidth, or the model's default when none was measured
 * @param decodeCrossingMillis    one decode step's crossing: the crossing factor × RTT/2 plus one activation
 *                                vector per sequence of the micro-batch over the bandwidth (ms; NaN if unknown)
 * @param prefillCrossingMillis   one prompt's crossing: the same latency plus one activation vector per prompt
 *                                token (ms; NaN if unknown)
 */
public record LinkEstimate(
        String fromNodeId,
        String toNodeId,
        boolean returnHop,
        boolean known,
        double rttMillis,
        double bandwidthBytesPerSecond,
        double decodeCrossingMillis,
        double prefillCrossingMillis) {
}
