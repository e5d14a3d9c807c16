package dev.placement.vllm;

import dev.placement.api.LaunchException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The vLLM launcher ({@code launch_vllm.py}) as a Ray package: a zip named by its content's hash, uploaded to the
 * cluster's GCS through the dashboard once per content (Ray keeps it; a later job reuses it). Thread-safe.
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

    /** @return a zip holding only the launcher at its root, with a fixed timestamp so its hash is stable */
    static byte[] launcherZip() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            ZipEntry entry = new ZipEntry(VllmLaunchPlan.LAUNCHER_FILE);
            entry.setTime(315532800000L);
            zip.putNextEntry(entry);
            zip.write(LauncherScript.bytes());
            zip.closeEntry();
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
