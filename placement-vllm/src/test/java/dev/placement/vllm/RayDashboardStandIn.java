package dev.placement.vllm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a Ray cluster's dashboard on 127.0.0.1 that runs the jobs it is sent: a submitted job starts a
 * stand-in of vLLM's OpenAI server ({@code /health}, {@code /v1/models}, {@code /metrics}) on 127.0.0.1 at the
 * port of the job's metadata, as the launcher's job would on rank 0's node, and is RUNNING with the launcher's
 * rank report in its logs; a job whose port cannot be bound FAILED, as vLLM's server would. Stopping a job stops
 * its server only. Answers in the shapes of Ray's {@code job_head.py}. Thread-safe.
 */
final class RayDashboardStandIn implements AutoCloseable {

    /** A job as the stand-in runs it. */
    record Job(String id, int port, String status, HttpServer server) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer dashboard;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    /** The submission ids stopped, in order. */
    final List<String> stopped = new CopyOnWriteArrayList<>();
    /** The bodies of the job submissions, in order. */
    final List<JsonNode> submitted = new CopyOnWriteArrayList<>();

    RayDashboardStandIn() throws IOException {
        dashboard = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        dashboard.createContext("/api/packages/", e -> send(e, "GET".equals(e.getRequestMethod()) ? 404 : 200, "{}"));
        dashboard.createContext("/api/jobs/", this::jobs);
        dashboard.start();
    }

    /** @return the dashboard's base URI */
    URI base() {
        return URI.create("http://127.0.0.1:" + dashboard.getAddress().getPort());
    }

    private void jobs(HttpExchange e) throws IOException {
        String[] path = e.getRequestURI().getPath().substring("/api/jobs/".length()).split("/");
        String method = e.getRequestMethod();
        if (path[0].isEmpty() && "POST".equals(method)) {
            JsonNode body = json.readTree(e.getRequestBody());
            submitted.add(body);
            Job job = run(body.path("submission_id").asText(), body.path("metadata").path("port").asInt());
            jobs.put(job.id(), job);
            send(e, 200, "{\"job_id\": null, \"submission_id\": \"" + job.id() + "\"}");
            return;
        }
        Job job = jobs.get(path[0]);
        if (job == null) {
            send(e, 404, "Job " + path[0] + " does not exist");
        } else if (path.length == 1 && "GET".equals(method)) {
            send(e, 200, "{\"type\": \"SUBMISSION\", \"submission_id\": \"" + job.id() + "\", \"status\": \""
                    + job.status() + "\", \"message\": \"" + job.status().toLowerCase() + "\"}");
        } else if (path.length == 1 && "DELETE".equals(method)) {
            jobs.remove(job.id());
            send(e, 200, "{\"deleted\": true}");
        } else if ("logs".equals(path[1])) {
            String logs = "RUNNING".equals(job.status()) ? TestClusters.RANKS_VERIFIED + "\n"
                    : "OSError: [Errno 98] Address already in use\n";
            send(e, 200, json.createObjectNode().put("logs", logs).toString());
        } else if ("stop".equals(path[1])) {
            stopped.add(job.id());
            if (job.server() != null) {
                job.server().stop(0);
            }
            jobs.put(job.id(), new Job(job.id(), job.port(), "STOPPED", null));
            send(e, 200, "{\"stopped\": true}");
        } else {
            send(e, 404, "no route");
        }
    }

    /** Starts the job's OpenAI server stand-in on its port; a port that cannot be bound fails the job. */
    private static Job run(String id, int port) {
        try {
            HttpServer vllm = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            vllm.createContext("/health", x -> send(x, 200, ""));
            vllm.createContext("/v1/models", x -> send(x, 200, "{\"object\": \"list\", \"data\": [{\"id\": \"m\"}]}"));
            vllm.createContext("/metrics", x -> send(x, 200, "vllm:num_requests_running{engine=\"0\"} 0.0\n"));
            vllm.start();
            return new Job(id, port, "RUNNING", vllm);
        } catch (IOException bindFailed) {
            return new Job(id, port, "FAILED", null);
        }
    }

    private static void send(HttpExchange e, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        e.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            e.getResponseBody().write(bytes);
        }
        e.close();
    }

    @Override
    public void close() {
        jobs.values().stream().filter(j -> j.server() != null).forEach(j -> j.server().stop(0));
        dashboard.stop(0);
    }
}
