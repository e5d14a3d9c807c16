package dev.placement.vllm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The Python launcher shipped as a resource ({@value VllmLaunchPlan#LAUNCHER_FILE}). Stateless. */
final class LauncherScript {

    private LauncherScript() {
    }

    /** @return the script's bytes */
    static byte[] bytes() {
        try (InputStream in = LauncherScript.class.getResourceAsStream(VllmLaunchPlan.LAUNCHER_FILE)) {
            if (in == null) {
                throw new IllegalStateException("the resource dev/placement/vllm/" + VllmLaunchPlan.LAUNCHER_FILE
                        + " is missing from the placement-vllm jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the launcher script resource", e);
        }
    }

    /** @return the script's text */
    static String source() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /**
     * Writes the script into a directory.
     *
     * @param dir an existing directory
     * @return the written file
     */
    static Path writeTo(Path dir) {
        Path file = dir.resolve(VllmLaunchPlan.LAUNCHER_FILE);
        try {
            Files.write(file, bytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the launcher script to " + file, e);
        }
        return file;
    }
}
