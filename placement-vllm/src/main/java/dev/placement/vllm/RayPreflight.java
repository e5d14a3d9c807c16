package dev.placement.vllm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.placement.api.ClusterSnapshot;
import dev.placement.api.LaunchException;
import dev.placement.api.PlacementException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code preflight.py} as a short Ray job with a launch plan's runtime environment, waits for it to end,
 * reads its report from the job's logs and deletes the job (unless stopped jobs are kept). Thread-safe.
 */
final class RayPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(RayJobsLauncher.class);

    private final DashboardClient dashboard;
    private final LauncherPackage launcherPackage;
    private final RayJobLogs jobs;
    private final RayJobCleanup cleanup;
    private final Polling polling;
    private final Duration timeout;

    RayPreflight(DashboardClient dashboard, LauncherPackage launcherPackage, RayJobLogs jobs, RayJobCleanup cleanup,
            Polling polling, Duration timeout) {
        this.dashboard = dashboard;
        this.launcherPackage = launcherPackage;
        this.jobs = jobs;
        this.cleanup = cleanup;
        this.polling = polling;
        this.timeout = Polling.requirePositive(timeout, "preflightTimeout");
    }

    /**
     * @param launchPlan the plan the launch would submit (its submission id made fresh by the caller)
     * @param cluster    the cluster the plan was made for
     * @param progress   where the job's phases are told
     * @return the report
     * @throws LaunchException if the job cannot be submitted, does not end in time, or ends without a report
     */
    PreflightReport run(VllmLaunchPlan launchPlan, ClusterSnapshot cluster, Progress progress) {
        VllmLaunchPlan plan = launchPlan.withSubmissionId(launchPlan.submissionId().replaceFirst("^placement-",
                "placement-preflight-"));
        String id = plan.submissionId();
        progress.say("submitting preflight job " + id + " to " + dashboard.base());
        launcherPackage.submit(submission(plan), "the preflight check of " + plan.placement());
        progress.say("submitted preflight job " + id);
        AtomicReference<String> last = new AtomicReference<>("not polled");
        Optional<String> ended;
        try {
            ended = polling.until(timeout, () -> {
                String status = jobs.status(id).orElse("DOES_NOT_EXIST");
                if (!RayJobsLauncher.TERMINAL.contains(status)) {
                    last.set(status);
                    progress.say("preflight job " + id + " is " + status);
                    return Optional.empty();
                }
                return Optional.of(status);
            });
        } catch (PlacementException e) {
            throw new LaunchException("lost contact with the Ray dashboard during preflight job " + id + ": "
                    + e.getMessage(), e);
        }
        if (ended.isEmpty()) {
            String logs = jobs.excerpt(id);
            String stopped = cleanup.stopFailed(id, jobs::status);
            throw new LaunchException("the preflight job " + id + " did not end within " + timeout.toSeconds()
                    + " s (last status " + last.get() + "); " + stopped + logs);
        }
        Optional<JsonNode> report = LauncherEvents.in(jobs.logsOrEmpty(id)).preflight();
        if (report.isEmpty()) {
            LaunchException failed = new LaunchException("the preflight job " + id + " ended " + ended.get()
                    + " without a report" + jobs.message(id) + jobs.excerpt(id));
            cleanup.delete(id);
            throw failed;
        }
        cleanup.delete(id);
        PreflightReport result = PreflightVerdict.read(report.get(), cluster, plan.tensorParallelSize());
        LOG.info("preflight of {}: {} blocker(s), {} warning(s)", plan.placement(), result.blockers().size(),
                result.warnings().size());
        progress.say("preflight job " + id + " ended " + ended.get());
        return result;
    }

    /** The launch's submission with the preflight script as its entrypoint, and its per-node wait. */
    private Map<String, Object> submission(VllmLaunchPlan plan) {
        Map<String, Object> body = new LinkedHashMap<>(plan.rayJobSubmission());
        body.put("entrypoint", "python " + LauncherScript.PREFLIGHT_FILE + " --plan-b64 "
                + plan.encodedLauncherInput());
        @SuppressWarnings("unchecked")
        Map<String, Object> runtimeEnv = (Map<String, Object>) body.get("runtime_env");
        @SuppressWarnings("unchecked")
        Map<String, String> env = new LinkedHashMap<>((Map<String, String>) runtimeEnv.get("env_vars"));
        env.put("PLACEMENT_PREFLIGHT_TIMEOUT_S", Long.toString(Math.max(1, Math.min(60, timeout.toSeconds() / 2))));
        body.put("runtime_env", Map.of("env_vars", env));
        @SuppressWarnings("unchecked")
        Map<String, String> metadata = new LinkedHashMap<>((Map<String, String>) body.get("metadata"));
        metadata.put("purpose", "preflight");
        body.put("metadata", metadata);
        return body;
    }
}
