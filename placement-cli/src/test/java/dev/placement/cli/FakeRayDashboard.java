package dev.placement.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A loopback stand-in for the Ray dashboard's Jobs API that runs the jobs it is given for real: a package PUT to
 * {@code /api/packages/gcs/NAME} is kept, and a job posted to {@code /api/jobs/} is unpacked from its
 * {@code working_dir} package and its entrypoint run by {@code /bin/sh -c} (as Ray runs it) in that directory,
 * with the job's {@code env_vars} and this fake's own environment (the stand-in Python modules, the fake
 * cluster). Status, logs (stdout and stderr), stop and delete answer as Ray's do, and the State API's node
 * listing answers the nodes {@link #aliveGpuNodes} set. Thread-safe.
 */
final class FakeRayDashboard implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One submitted job. */
    record Job(String id, JsonNode submission, Process process, Path logs) {
        String status() {
            if (process.isAlive()) {
                return "RUNNING";
            }
            return process.exitValue() == 0 ? "SUCCEEDED" : "FAILED";
        }
    }

    private final HttpServer server;
    private final Path dir;
    private final Map<String, String> env;
    private final Map<String, byte[]> packages = new ConcurrentHashMap<>();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final List<Job> submitted = new CopyOnWriteArrayList<>();
    private final List<String> deleted = new CopyOnWriteArrayList<>();
    private volatile List<Map<String, Object>> nodes = List.of();
    private final AtomicInteger nodeListings = new AtomicInteger();

    /**
     * @param dir where jobs are unpacked and their logs written
     * @param env variables every job gets (besides its own env_vars)
     */
    FakeRayDashboard(Path dir, Map<String, String> env) throws IOException {
        this.dir = dir;
        this.env = Map.copyOf(env);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/api/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** @return every job submitted, deleted ones included, in order */
    List<Job> submitted() {
        return List.copyOf(submitted);
    }

    /**
     * Sets what the State API's node listing ({@code GET /api/v0/nodes}) answers: each node alive with one GPU.
     *
     * @param ips the nodes' IPs, named {@code ray-<ip>}
     */
    void aliveGpuNodes(String... ips) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (String ip : ips) {
            list.add(Map.of("node_ip", ip, "node_name", "ray-" + ip, "state", "ALIVE",
                    "resources_total", Map.of("GPU", 1.0, "CPU", 8.0)));
        }
        nodes = List.copyOf(list);
    }

    /** @return how many times the node listing was asked for */
    int nodeListings() {
        return nodeListings.get();
    }

    /** @return the ids of the jobs deleted, in order */
    List<String> deleted() {
        return List.copyOf(deleted);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/api/v0/nodes") && method.equals("GET")) {
                nodeListings.incrementAndGet();
                answer(ex, 200, Map.of("result", true, "data", Map.of("result", Map.of("result", nodes))));
            } else if (path.startsWith("/api/packages/gcs/")) {
                String name = path.substring("/api/packages/gcs/".length());
                if (method.equals("PUT")) {
                    packages.put(name, ex.getRequestBody().readAllBytes());
                    answer(ex, 200, Map.of("result", true));
                } else {
                    answer(ex, packages.containsKey(name) ? 200 : 404, Map.of());
                }
            } else if (path.equals("/api/jobs/") && method.equals("POST")) {
                Job job = start(JSON.readTree(ex.getRequestBody()));
                answer(ex, 200, Map.of("submission_id", job.id()));
            } else if (path.startsWith("/api/jobs/")) {
                job(ex, method, path.substring("/api/jobs/".length()));
            } else {
                answer(ex, 404, Map.of());
            }
        }
    }

    private void job(HttpExchange ex, String method, String rest) throws IOException {
        String[] parts = rest.split("/");
        Job job = jobs.get(parts[0]);
        if (job == null) {
            answer(ex, 404, Map.of("detail", "job " + parts[0] + " does not exist"));
        } else if (parts.length == 1 && method.equals("GET")) {
            answer(ex, 200, Map.of("submission_id", job.id(), "status", job.status(), "message", ""));
        } else if (parts.length == 2 && parts[1].equals("logs")) {
            answer(ex, 200, Map.of("logs", Files.readString(job.logs(), StandardCharsets.UTF_8)));
        } else if (parts.length == 2 && parts[1].equals("stop") && method.equals("POST")) {
            job.process().destroy();
            answer(ex, 200, Map.of("stopped", true));
        } else if (parts.length == 1 && method.equals("DELETE")) {
            if (job.process().isAlive()) {
                answer(ex, 400, Map.of("detail", "job is still running"));
            } else {
                jobs.remove(job.id());
                deleted.add(job.id());
                answer(ex, 200, Map.of("deleted", true));
            }
        } else {
            answer(ex, 405, Map.of());
        }
    }

    private Job start(JsonNode submission) throws IOException {
        String id = submission.path("submission_id").asText();
        String pkg = submission.at("/runtime_env/working_dir").asText().replaceFirst("^gcs://", "");
        Path work = Files.createDirectories(dir.resolve("job-" + id));
        byte[] zip = packages.get(pkg);
        if (zip == null) {
            throw new IllegalStateException("job " + id + " names a package never uploaded: " + pkg);
        }
        unzip(zip, work);
        Path logs = dir.resolve(id + ".log");
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", submission.path("entrypoint").asText())
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(logs.toFile());
        pb.environment().putAll(env);
        submission.at("/runtime_env/env_vars").fields().forEachRemaining(e -> pb.environment().put(e.getKey(),
                e.getValue().asText()));
        Job job = new Job(id, submission, pb.start(), logs);
        jobs.put(id, job);
        submitted.add(job);
        return job;
    }

    private static void unzip(byte[] zip, Path into) throws IOException {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry outside the job's directory: " + e.getName());
                }
                Files.write(target, in.readAllBytes());
            }
        }
    }

    private static void answer(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        jobs.values().forEach(j -> j.process().destroyForcibly());
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    /**
     * @return a directory holding {@code python}, running {@code python3}: the entrypoints say {@code python}, as
     *         on a Ray node, and Debian has only {@code python3}
     */
    static Path pythonShim(Path dir) {
        try {
            Path bin = Files.createDirectories(dir.resolve("python-shim"));
            Path shim = bin.resolve("python");
            Files.writeString(shim, "#!/bin/sh\nexec python3 \"$@\"\n");
            if (!shim.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + shim + " executable");
            }
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
