package dev.placement.vllm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.placement.api.PlacementException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Finds the model a server serves when none was given, as {@code vllm bench serve} does without {@code --model}. */
final class ServedModel {

    private ServedModel() {
    }

    /**
     * Asks the server's {@code GET /v1/models} for its first model.
     *
     * @param apiKey a bearer token, or {@code null}
     * @return the model's id
     * @throws PlacementException if the list cannot be read or names no model, or this thread is interrupted
     */
    static String first(HttpClient client, ObjectMapper json, URI target, String apiKey) {
        URI models = URI.create(target + "/v1/models");
        HttpRequest.Builder request = HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(10)).GET();
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new PlacementException("cannot read the model list at " + models + ": HTTP "
                        + response.statusCode() + "; give the model name");
            }
            JsonNode id = json.readTree(response.body()).path("data").path(0).path("id");
            if (!id.isTextual() || id.asText().isBlank()) {
                throw new PlacementException("the model list at " + models + " names no model; give the model "
                        + "name");
            }
            return id.asText();
        } catch (IOException e) {
            throw new PlacementException("cannot read the model list at " + models + ": "
                    + FailureDetail.oneLine(String.valueOf(e.getMessage())) + "; is the server up?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PlacementException("interrupted while reading the model list at " + models, e);
        }
    }
}
