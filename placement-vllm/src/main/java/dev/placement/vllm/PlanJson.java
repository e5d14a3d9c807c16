package dev.placement.vllm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** A launch plan as JSON: the text the launcher and the Ray job read, and the digest that names the plan. */
final class PlanJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanJson() {
    }

    /**
     * @param value  maps, lists and scalars
     * @param pretty indented, or on one line
     * @return the JSON text
     */
    static String write(Object value, boolean pretty) {
        try {
            return pretty ? JSON.writeValueAsString(value) : JSON.writer().without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the launch plan as JSON", e);
        }
    }

    /**
     * @param launcherInput the plan's launcher input ({@link VllmLaunchPlan#launcherInput()})
     * @return a SHA-256 hex digest of it without its submission id, identifying the plan's content
     */
    static String contentHash(Map<String, Object> launcherInput) {
        Map<String, Object> in = new LinkedHashMap<>(launcherInput);
        in.remove("submission_id");
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(write(in, false).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
