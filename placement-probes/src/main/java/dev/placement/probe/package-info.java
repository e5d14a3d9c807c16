/**
 * {@link dev.placement.api.LatencyProbe} implementations: TCP handshake time
 * ({@link dev.placement.probe.TcpConnectProbe}, no privileges), the system's ICMP ping
 * ({@link dev.placement.probe.IcmpPingProbe}), true node-to-node RTTs by running ping on every node
 * through a {@link dev.placement.api.CommandRunner} ({@link dev.placement.probe.PairwiseProbe}), and fixed
 * or scripted maps for tests ({@link dev.placement.probe.StaticProbe},
 * {@link dev.placement.probe.ScriptedProbe}). Every probe reports a node it cannot reach in
 * {@link dev.placement.api.ConnectivityMap#unreachableNodes()} and leaves unmeasured pairs absent.
 */
package dev.placement.probe;
