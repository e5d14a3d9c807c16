package dev.placement.vllm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Python scripts shipped as resources: the launcher ({@value VllmLaunchPlan#LAUNCHER_FILE}) and the preflight
 * check ({@value #PREFLIGHT_FILE}), which imports the launcher. Stateless.
 */
final class LauncherScript {
    /** The preflight check, run as a Ray job from the same package as the launcher. */
    static final String PREFLIGHT_FILE = "preflight.py";
    /** Every script of the package, the launcher first. */
    static final List<String> FILES = List.of(VllmLaunchPlan.LAUNCHER_FILE, PREFLIGHT_FILE);

    private LauncherScript() {
    }

    /** @return the launcher's bytes */
    static byte[] bytes() {
        return bytes(VllmLaunchPlan.LAUNCHER_FILE);
    }

    /** @return the bytes of one of {@link #FILES} */
    static byte[] bytes(String file) {
        try (InputStream in = LauncherScript.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("the resource dev/placement/vllm/" + file
                        + " is missing from the placement-vllm jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the script resource " + file, e);
        }
    }

    /** @return the launcher's text */
    static String source() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /**
     * Writes every script into a directory.
     *
     * @param dir an existing directory
     * @return the written launcher
     */
    static Path writeTo(Path dir) {
        for (String file : FILES) {
            Path target = dir.resolve(file);
            try {
                Files.write(target, bytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the script " + file + " to " + target, e);
            }
        }
        return dir.resolve(VllmLaunchPlan.LAUNCHER_FILE);
    }
}
