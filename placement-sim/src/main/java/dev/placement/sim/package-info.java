/**
 * A simulated edge cluster for testing placement policies without GPUs:
 * {@link dev.placement.sim.SimulatedCluster} (inventory, probe, launcher and metrics source on top of the
 * performance model, with seeded noise, scripted link changes, node failures and restart delays) and the
 * {@link dev.placement.sim.SimulatedClock} that drives it in virtual time.
 */
package dev.placement.sim;
