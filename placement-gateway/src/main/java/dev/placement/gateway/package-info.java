/**
 * An OpenAI-compatible reverse proxy in front of the pipeline a
 * {@link dev.placement.core.orchestrator.PlacementOrchestrator} runs: {@link dev.placement.gateway.PlacementGateway}
 * gives clients one stable endpoint that holds their requests while the pipeline is reconfigured, streams answers
 * through as they come, and reports health and metrics.
 *
 * <p>Why Jetty 12, and its core handlers rather than servlets or its proxy module: the gateway must hold up to
 * thousands of requests at the gate without a thread each, stream server-sent events chunk by chunk with
 * back-pressure, notice a client that leaves and abort its upstream request; Jetty 12's core {@code Handler} API is
 * asynchronous throughout (a handler returns and completes a {@code Callback} later), its {@code HttpClient} gives
 * the upstream response as a demand-driven {@code Content.Source} that {@code Content.copy} writes to the client
 * one chunk at a time, and both are maintained, widely deployed, have no dependency but SLF4J, and weigh about
 * 2.7 MB together. {@code jetty-proxy}'s {@code ProxyHandler} does the same copy, but the gate's asynchronous
 * admission, the choice of the upstream after admission and the retry on a new pipeline before the first byte
 * would each need an override of its internals; the gateway's own handler is shorter and says what it does. The
 * JDK's {@code HttpServer} was not used: it blocks a thread per exchange and cannot tell a client left.
 */
package dev.placement.gateway;
