package dev.placement.vllm;

import dev.placement.api.LaunchException;
import dev.placement.api.PlacementException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The vLLM launcher ({@code launch_vllm.py}) and the preflight check ({@code preflight.py}) as a Ray package: a zip
 * named by its content's hash, uploaded to the cluster's GCS through the dashboard once per content (Ray keeps it;
 * a later job reuses it). Thread-safe.
 */
final class LauncherPackage {
    private final DashboardClient dashboard;
    private final AtomicReference<String> uploaded = new AtomicReference<>();

    LauncherPackage(DashboardClient dashboard) {
        this.dashboard = dashboard;
    }

    /**
     * @return the package's {@code gcs://} URI, uploaded first unless Ray has it
     * @throws LaunchException if the dashboard refuses the check or the upload
     */
    String upload() {
        byte[] zip = launcherZip();
        String name = "_ray_pkg_" + sha256(zip).substring(0, 16) + ".zip";
        if (name.equals(uploaded.get())) {
            return "gcs://" + name;
        }
        DashboardClient.Answer exists = dashboard.get("api/packages/gcs/" + name);
        if (exists.status() == 404) {
            DashboardClient.Answer put = dashboard.put("api/packages/gcs/" + name, zip);
            if (!put.ok()) {
                throw new LaunchException("cannot upload the launcher package " + name + ": HTTP " + put.status()
                        + ": " + DashboardClient.excerpt(put.body(), 300));
            }
        } else if (!exists.ok()) {
            throw new LaunchException("cannot check the launcher package " + name + ": HTTP " + exists.status()
                    + ": " + DashboardClient.excerpt(exists.body(), 300));
        }
        uploaded.set(name);
        return "gcs://" + name;
    }

    /**
     * Submits a Ray job that runs from this package: uploads the package unless Ray has it, sets it as the job's
     * {@code runtime_env.working_dir}, and posts the job.
     *
     * @param submission the body of {@code POST /api/jobs/} without a working directory
     * @param what       what the job is for, in messages (for example the placement)
     * @throws LaunchException if the dashboard cannot be reached or refuses the package or the job
     */
    void submit(Map<String, Object> submission, String what) {
        Map<String, Object> body = new LinkedHashMap<>(submission);
        @SuppressWarnings("unchecked")
        Map<String, Object> runtimeEnv = new LinkedHashMap<>((Map<String, Object>) body.get("runtime_env"));
        String id = String.valueOf(body.get("submission_id"));
        try {
            runtimeEnv.put("working_dir", upload());
            body.put("runtime_env", runtimeEnv);
            DashboardClient.Answer submitted = dashboard.postJson("api/jobs/", body);
            if (!submitted.ok()) {
                throw new LaunchException("Ray rejected job " + id + " for " + what + ": HTTP "
                        + submitted.status() + ": " + DashboardClient.excerpt(submitted.body(), 500));
            }
        } catch (LaunchException e) {
            throw e;
        } catch (PlacementException e) {
            throw new LaunchException("cannot submit " + what + ": " + e.getMessage(), e);
        }
    }

    /** @return a zip holding the scripts at its root, with a fixed timestamp so its hash is stable */
    static byte[] launcherZip() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (String file : LauncherScript.FILES) {
                ZipEntry entry = new ZipEntry(file);
                entry.setTime(315532800000L);
                zip.putNextEntry(entry);
                zip.write(LauncherScript.bytes(file));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot zip the launcher", e);
        }
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
