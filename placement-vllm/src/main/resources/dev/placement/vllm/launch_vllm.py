#!/usr/bin/env python3
"""Start vLLM's OpenAI-compatible server with pipeline rank i pinned to node i.

Shipped by the Placement Java SDK (dev.placement.vllm). The plan arrives as data, never as shell text:
``--plan-b64 <base64url JSON>`` or the environment variable PLACEMENT_VLLM_PLAN_B64. The launcher

1. validates the plan (node addresses, model id or path, served name, variable names, arguments);
2. creates a Ray placement group whose bundle i is {"GPU": 1, "node:<ip_i>": 0.001};
3. sets VLLM_PP_LAYER_PARTITION, VLLM_USE_RAY_V2_EXECUTOR_BACKEND=1 and VLLM_RAY_BUNDLE_INDICES=0..K-1
   (vLLM's newer Ray executor assigns rank i to bundle VLLM_RAY_BUNDLE_INDICES[i], in list order);
4. runs the OpenAI server inside an actor on bundle 0 (rank 0's node) that captures its child tasks, so the
   vLLM workers land in the placement group.

``--dry-run`` prints the bundles, the environment and the command as JSON and exits without importing Ray.
"""

import argparse
import base64
import json
import os
import re
import socket
import sys

PLAN_ENV = "PLACEMENT_VLLM_PLAN_B64"
MANAGED_ENV = ("VLLM_PP_LAYER_PARTITION", "VLLM_USE_RAY_V2_EXECUTOR_BACKEND", "VLLM_RAY_BUNDLE_INDICES")

NODE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ADDRESS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:-]{0,252}")
HF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?")
ABS_PATH = re.compile(r"(/[A-Za-z0-9._+@=-]+)+/?")
SERVED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:-]{0,127}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
IPV4 = re.compile(r"\d{1,3}(\.\d{1,3}){3}")


class PlanError(ValueError):
    """The plan is malformed or unsafe; the message names the field and the value."""


def _full(pattern, value):
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def decode_plan(encoded):
    if not isinstance(encoded, str) or not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", encoded):
        raise PlanError("plan: not base64url text")
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise PlanError("plan: not base64url-encoded JSON: %s" % err) from None


def validate_model(model):
    if _full(ABS_PATH, model):
        if "/../" in model or model.endswith("/.."):
            raise PlanError("model: path %r must not contain '..'" % model)
        return model
    if _full(HF_ID, model) and ".." not in model:
        return model
    raise PlanError("model: %r is neither a Hugging Face id nor an absolute path without shell metacharacters"
                    % (model,))


def validate_plan(plan):
    if not isinstance(plan, dict):
        raise PlanError("plan: expected a JSON object")
    if plan.get("version") != 1:
        raise PlanError("version: expected 1, got %r" % (plan.get("version"),))
    if not _full(SUBMISSION_ID, plan.get("submission_id")):
        raise PlanError("submission_id: %r is invalid" % (plan.get("submission_id"),))
    validate_model(plan.get("model"))
    if not _full(SERVED_NAME, plan.get("served_model_name")):
        raise PlanError("served_model_name: %r is invalid" % (plan.get("served_model_name"),))
    args = plan.get("args")
    if not isinstance(args, list) or not all(isinstance(a, str) and "\0" not in a and "\n" not in a for a in args):
        raise PlanError("args: expected a list of strings without NUL or line breaks")
    env = plan.get("env")
    if not isinstance(env, dict):
        raise PlanError("env: expected an object")
    for name, value in env.items():
        if not _full(ENV_NAME, name):
            raise PlanError("env: %r is not a variable name" % (name,))
        if not isinstance(value, str) or "\0" in value or "\n" in value:
            raise PlanError("env: the value of %s is not a single-line string" % name)
    stages = plan.get("stages")
    if not isinstance(stages, list) or not stages:
        raise PlanError("stages: expected a non-empty list")
    seen = set()
    for i, stage in enumerate(stages):
        if not isinstance(stage, dict) or stage.get("rank") != i:
            raise PlanError("stages[%d]: expected rank %d" % (i, i))
        if not _full(NODE_ID, stage.get("node_id")):
            raise PlanError("stages[%d].node_id: %r is not a valid node id" % (i, stage.get("node_id")))
        if not _full(ADDRESS, stage.get("node_ip")):
            raise PlanError("stages[%d].node_ip: %r is not a host name or IP address" % (i, stage.get("node_ip")))
        layers = stage.get("layers")
        if not isinstance(layers, int) or isinstance(layers, bool) or layers <= 0:
            raise PlanError("stages[%d].layers: %r is not a positive integer" % (i, layers))
        if stage["node_ip"] in seen:
            raise PlanError("stages[%d].node_ip: %s holds two ranks" % (i, stage["node_ip"]))
        seen.add(stage["node_ip"])
    partition = ",".join(str(s["layers"]) for s in stages)
    if env.get("VLLM_PP_LAYER_PARTITION") != partition:
        raise PlanError("env.VLLM_PP_LAYER_PARTITION: %r does not match the stages (%s)"
                        % (env.get("VLLM_PP_LAYER_PARTITION"), partition))
    return plan


def resolve_ip(address, resolve):
    if IPV4.fullmatch(address) or ":" in address or not resolve:
        return address
    return socket.gethostbyname(address)


def build_launch(plan, resolve=False):
    """Returns the bundles, the environment and the server command the plan asks for."""
    stages = plan["stages"]
    ips = [resolve_ip(s["node_ip"], resolve) for s in stages]
    bundles = [{"GPU": 1, "node:%s" % ip: 0.001} for ip in ips]
    env = dict(plan["env"])
    env["VLLM_PP_LAYER_PARTITION"] = ",".join(str(s["layers"]) for s in stages)
    env["VLLM_USE_RAY_V2_EXECUTOR_BACKEND"] = "1"
    env["VLLM_RAY_BUNDLE_INDICES"] = ",".join(str(i) for i in range(len(stages)))
    command = ["vllm", "serve", plan["model"]] + list(plan["args"])
    return {
        "submission_id": plan["submission_id"],
        "pipeline_parallel_size": len(stages),
        "nodes": [s["node_id"] for s in stages],
        "bundles": bundles,
        "env": env,
        "command": command,
    }


def _hand_placement_group_to_engine(group):
    """Makes vLLM use our placement group even in its engine-core subprocess.

    The OpenAI server runs vLLM's engine core in a separate process, where Ray's "current placement group" of
    this actor is not visible; vLLM's ray_utils prefers ``parallel_config.placement_group`` when it is set, and
    the config is pickled into that process. So the group is set on the config right after vLLM builds it.
    """
    try:
        from vllm.engine.arg_utils import AsyncEngineArgs
    except ImportError:  # a vLLM without this class: rely on placement_group_capture_child_tasks alone
        print(json.dumps({"event": "warning", "message": "cannot hand the placement group to vLLM's config"}),
              flush=True)
        return
    build = AsyncEngineArgs.create_engine_config

    def create_engine_config(self, *args, **kwargs):
        config = build(self, *args, **kwargs)
        config.parallel_config.placement_group = group
        return config

    AsyncEngineArgs.create_engine_config = create_engine_config


def serve(launch):
    """Creates the placement group and runs the OpenAI server on bundle 0; returns when the server exits."""
    import ray  # imported lazily: --dry-run must work where Ray is not installed
    from ray.util.placement_group import placement_group
    from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

    # Inside a Ray job the job's runtime_env already carries the variables; a second runtime_env here would
    # replace the job's (and its working_dir). Started over SSH, the driver brings them itself.
    if os.environ.get("PLACEMENT_IN_RAY_JOB") == "1":
        ray.init(address="auto")
    else:
        ray.init(address="auto", runtime_env={"env_vars": launch["env"]})
    # STRICT_SPREAD: one rank per node; the node:<ip> resources fix which node each bundle lands on.
    pg = placement_group(launch["bundles"], strategy="STRICT_SPREAD",
                         name="placement-%s" % launch["submission_id"])
    pg_timeout = float(os.environ.get("PLACEMENT_PG_TIMEOUT_S", "600"))
    ready, _ = ray.wait([pg.ready()], timeout=pg_timeout)
    if not ready:
        raise SystemExit("placement group %s not ready within %.0f s: is every node alive with a free GPU? "
                         "bundles=%s" % (pg.id, pg_timeout, json.dumps(launch["bundles"])))

    @ray.remote(num_cpus=0, num_gpus=0)
    class OpenAiServer:
        def run(self, command, env, group):
            import runpy
            os.environ.update(env)
            _hand_placement_group_to_engine(group)
            sys.argv = ["vllm.entrypoints.openai.api_server", "--model"] + command[2:]
            runpy.run_module("vllm.entrypoints.openai.api_server", run_name="__main__", alter_sys=True)
            return 0

    server = OpenAiServer.options(scheduling_strategy=PlacementGroupSchedulingStrategy(
        placement_group=pg, placement_group_bundle_index=0,
        placement_group_capture_child_tasks=True)).remote()
    print(json.dumps({"event": "starting", "placement_group": pg.id.hex(), "bundles": launch["bundles"]}),
          flush=True)
    return ray.get(server.run.remote(launch["command"], launch["env"], pg))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan-b64", help="the plan, base64url-encoded JSON (default: $%s)" % PLAN_ENV)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the bundles, environment and command as JSON; do not import Ray")
    opts = parser.parse_args(argv)
    encoded = opts.plan_b64 if opts.plan_b64 is not None else os.environ.get(PLAN_ENV)
    if encoded is None:
        parser.error("no plan: pass --plan-b64 or set %s" % PLAN_ENV)
    try:
        plan = validate_plan(decode_plan(encoded))
        launch = build_launch(plan, resolve=not opts.dry_run)
    except PlanError as err:
        print("launch_vllm: invalid plan: %s" % err, file=sys.stderr)
        return 2
    if opts.dry_run:
        print(json.dumps(launch, indent=2, sort_keys=False))
        return 0
    return serve(launch) or 0


if __name__ == "__main__":
    sys.exit(main())
