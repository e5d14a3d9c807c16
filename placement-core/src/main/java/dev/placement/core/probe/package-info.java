/**
 * {@link dev.placement.api.LatencyProbe} implementations: TCP handshake time
 * ({@link dev.placement.core.probe.TcpConnectProbe}, no privileges), the system's ICMP ping
 * ({@link dev.placement.core.probe.IcmpPingProbe}), true node-to-node RTTs by running ping on every node
 * through a {@link dev.placement.api.CommandRunner} ({@link dev.placement.core.probe.PairwiseProbe}), and fixed
 * or scripted maps for tests ({@link dev.placement.core.probe.StaticProbe},
 * {@link dev.placement.core.probe.ScriptedProbe}). Every probe reports a node it cannot reach in
 * {@link dev.placement.api.ConnectivityMap#unreachableNodes()} and leaves unmeasured pairs absent.
 */
package dev.placement.core.probe;
