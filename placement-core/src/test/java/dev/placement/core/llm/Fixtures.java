package dev.placement.core.llm;

import dev.placement.api.ClusterSnapshot;
import dev.placement.api.ConnectivityMap;
import dev.placement.api.GpuSpec;
import dev.placement.api.LlmClient;
import dev.placement.api.LlmException;
import dev.placement.api.LlmRequest;
import dev.placement.api.LlmResponse;
import dev.placement.api.ModelSpec;
import dev.placement.api.NodeSpec;
import dev.placement.api.PlacementRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/** The research's testbed (Falcon3-10B on three T4s) and a scripted LLM client, for the tests of this package. */
final class Fixtures {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
    static final GpuSpec T4 = GpuSpec.of("T4", 16, 320, 65);

    private Fixtures() {
    }

    static ModelSpec falcon10b() {
        return new ModelSpec("tiiuae/Falcon3-10B-Base", "llama", 40, 3072, 23040, 12, 4, 256, 131072, 32768, 2,
                false, true);
    }

    static ClusterSnapshot threeT4s() {
        return new ClusterSnapshot(List.of(new NodeSpec("node0", "10.0.0.10", T4),
                new NodeSpec("node1", "10.0.0.11", T4), new NodeSpec("node2", "10.0.0.12", T4)));
    }

    /** node0-node1 fast; node2 behind a slow link to both. */
    static ConnectivityMap slowThirdNode(double slowRttMillis) {
        return ConnectivityMap.builder().link("node0", "node1", 0.5).link("node1", "node2", slowRttMillis)
                .link("node0", "node2", slowRttMillis).build();
    }

    static PlacementRequest request(double slowRttMillis) {
        return PlacementRequest.builder(falcon10b(), threeT4s(), slowThirdNode(slowRttMillis)).build();
    }

    /** An LLM that gives scripted answers (or throws) in order, and records every question. */
    static final class ScriptedLlm implements LlmClient {
        final List<LlmRequest> requests = new ArrayList<>();
        private final Deque<Supplier<LlmResponse>> answers = new ArrayDeque<>();

        ScriptedLlm answers(String... texts) {
            for (String t : texts) {
                answers.add(() -> new LlmResponse(t, "fake-model-1", 100, 20));
            }
            return this;
        }

        ScriptedLlm fails(LlmException e) {
            answers.add(() -> {
                throw e;
            });
            return this;
        }

        ScriptedLlm then(Supplier<LlmResponse> answer) {
            answers.add(answer);
            return this;
        }

        @Override
        public String provider() {
            return "fake";
        }

        @Override
        public String model() {
            return "fake-model";
        }

        @Override
        public synchronized LlmResponse complete(LlmRequest request) {
            requests.add(request);
            Supplier<LlmResponse> next = answers.poll();
            if (next == null) {
                throw new AssertionError("the LLM was asked more often than scripted");
            }
            return next.get();
        }
    }
}
