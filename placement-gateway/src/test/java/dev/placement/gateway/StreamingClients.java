package dev.placement.gateway;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streaming clients of the gateway for the switchover tests: each sends completions with {@code stream: true} one
 * after another until stopped, and records what it saw, among it the stand-in server's fingerprint (its pid) on
 * each chunk, so that a test can tell which pipeline served a request.
 */
final class StreamingClients implements AutoCloseable {
    private static final Pattern FINGERPRINT = Pattern.compile("\"system_fingerprint\":\"(pid-\\d+)\"");

    /** One request as a client saw it. */
    record Seen(Instant sent, Instant firstChunk, int status, int chunks, boolean done, TreeSet<String> fingerprints,
            String error) {
    }

    final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ExecutorService threads;

    /** Starts {@code clients} clients, each asking for {@code tokens} tokens per request. */
    StreamingClients(int clients, HttpClient http, URI base, int tokens) {
        threads = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.submit(() -> {
                for (int n = 0; !stop.get(); n++) {
                    seen.add(stream(http, base, "c" + client + "-" + n, tokens));
                    completed.incrementAndGet();
                }
            });
        }
    }

    /** Waits until {@code more} requests completed from now on (at most 90 s). */
    void awaitMore(int more) {
        int target = completed.get() + more;
        await().atMost(Duration.ofSeconds(90)).until(() -> completed.get() >= target);
    }

    /** Lets each client finish its request and stop; @return whether they all stopped within 60 s */
    boolean stop() throws InterruptedException {
        stop.set(true);
        threads.shutdown();
        return threads.awaitTermination(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        stop.set(true);
        threads.shutdownNow();
    }

    static HttpRequest request(URI base, String prompt, int tokens) {
        return HttpRequest.newBuilder(base.resolve("/v1/completions")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\","
                        + "\"prompt\":\"" + prompt + "\",\"max_tokens\":" + tokens + ",\"stream\":true}")).build();
    }

    private static Seen stream(HttpClient http, URI base, String prompt, int tokens) {
        Instant sent = Instant.now();
        Instant first = null;
        int chunks = 0;
        boolean done = false;
        TreeSet<String> fingerprints = new TreeSet<>();
        try {
            HttpResponse<InputStream> r = http.send(request(base, prompt, tokens),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals("data: [DONE]")) {
                        done = true;
                    } else if (line.startsWith("data: ")) {
                        first = first == null ? Instant.now() : first;
                        chunks++;
                        Matcher m = FINGERPRINT.matcher(line);
                        if (m.find()) {
                            fingerprints.add(m.group(1));
                        }
                    }
                }
            }
            return new Seen(sent, first, r.statusCode(), chunks, done, fingerprints, null);
        } catch (Exception e) {
            return new Seen(sent, first, -1, chunks, done, fingerprints, e.toString());
        }
    }
}
