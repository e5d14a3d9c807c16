#!/usr/bin/env python3
"""Start vLLM's OpenAI-compatible server with pipeline rank i pinned to node i, and prove it.

Shipped by the Placement Java SDK (dev.placement.vllm). The plan arrives as data, never as shell text:
``--plan-b64 <base64url JSON>`` or the environment variable PLACEMENT_VLLM_PLAN_B64. The launcher

1. validates the plan (node addresses, model id or path, served name, variable names, arguments);
2. finds each planned node in Ray's own node list (by its IP or its Ray node name; never by DNS on the
   driver) and creates a placement group with one bundle {"GPU": 1, "node:<ip_i>": 0.001} per GPU: with
   tensor parallelism t, bundles i*t .. i*t+t-1 are stage i's, as vLLM numbers ranks (TP innermost);
3. on rank 0's node, reports ``vllm.__version__`` and ``ray.__version__`` and picks the executor: vLLM's
   RayExecutorV2 (VLLM_USE_RAY_V2_EXECUTOR_BACKEND=1, VLLM_RAY_BUNDLE_INDICES=0..K*t-1: rank i on bundle i)
   where this vLLM knows the variable; on an older vLLM, whose Ray executor re-sorts the workers (driver
   node first, then by IP string), only a plan already in that order starts, any other is refused;
4. installs itself as a vLLM general plugin (``placement_rank_check``) so that, inside vLLM's engine-core
   process, once the executor has placed its workers, every rank's Ray node is compared with the plan: a
   mismatch stops vLLM with one line naming the rank, the planned node and the actual one;
5. runs the OpenAI server inside an actor on bundle 0 (rank 0's node) that captures its child tasks, so the
   vLLM workers land in the placement group.

Progress and results are printed as lines ``placement-event {json}``: ``runtime``, ``starting``,
``ranks_verified``, and ``refused`` or ``rank_mismatch`` (with a one-line ``message``).
``--dry-run`` prints the bundles, the environment and the command as JSON and exits without importing Ray.
"""

import argparse
import base64
import json
import os
import re
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
    tp = tensor_parallel_size(plan)
    given = [args[i + 1] for i in range(len(args) - 1) if args[i] == "--tensor-parallel-size"]
    if given != [str(tp)]:
        raise PlanError("args: --tensor-parallel-size %s does not match tensor_parallel_size %d"
                        % ("/".join(given) or "(missing)", tp))
    partition = ",".join(str(s["layers"]) for s in stages)
    if env.get("VLLM_PP_LAYER_PARTITION") != partition:
        raise PlanError("env.VLLM_PP_LAYER_PARTITION: %r does not match the stages (%s)"
                        % (env.get("VLLM_PP_LAYER_PARTITION"), partition))
    return plan


def tensor_parallel_size(plan):
    """GPUs per stage, the same on every stage (vLLM's --tensor-parallel-size); 1 when the plan has none."""
    tp = plan.get("tensor_parallel_size", 1)
    if not isinstance(tp, int) or isinstance(tp, bool) or not 1 <= tp <= 1024:
        raise PlanError("tensor_parallel_size: %r is not a whole number from 1 to 1024" % (tp,))
    return tp


def find_ray_node(i, stage, alive):
    """Ray's entry (from ``ray.nodes()``) for stage i's planned node, found by its IP or its Ray node name.

    Raises PlanError naming the stage and listing the alive nodes when Ray does not know the node.
    """
    address = stage["node_ip"]
    found = [n for n in alive if address in (n.get("NodeManagerAddress"), n.get("NodeName"))]
    if not found:
        known = ", ".join(sorted("%s (%s)" % (n.get("NodeManagerAddress"), n.get("NodeName")) for n in alive))
        raise PlanError("stages[%d].node_ip: %s (node %s) is not an alive node of this Ray cluster; Ray "
                        "knows %s" % (i, address, stage["node_id"], known or "no alive node"))
    return found[0]


def ray_node_ips(stages, nodes):
    """The IP Ray uses for each planned node, from Ray's node list (``ray.nodes()``), in stage order.

    A stage's ``node_ip`` may be the node's IP or its Ray node name (``ray start --node-name``, by default
    the IP itself); the driver's DNS is never asked, since it may disagree with what the nodes registered.
    """
    alive = [n for n in nodes if n.get("Alive")]
    ips = [find_ray_node(i, stage, alive)["NodeManagerAddress"] for i, stage in enumerate(stages)]
    if len(set(ips)) != len(ips):
        raise PlanError("stages: two planned nodes are the same Ray node (%s)" % ", ".join(ips))
    return ips


def build_launch(plan, ips=None):
    """Returns the bundles, the environment and the server command the plan asks for.

    ``ips`` are Ray's addresses of the planned nodes (see ray_node_ips); by default the plan's own.
    """
    stages = plan["stages"]
    ips = ips or [s["node_ip"] for s in stages]
    tp = tensor_parallel_size(plan)
    bundles = [{"GPU": 1, "node:%s" % ip: 0.001} for ip in ips for _ in range(tp)]
    env = dict(plan["env"])
    env["VLLM_PP_LAYER_PARTITION"] = ",".join(str(s["layers"]) for s in stages)
    env["VLLM_USE_RAY_V2_EXECUTOR_BACKEND"] = "1"
    env["VLLM_RAY_BUNDLE_INDICES"] = ",".join(str(i) for i in range(len(bundles)))
    command = ["vllm", "serve", plan["model"]] + list(plan["args"])
    return {
        "submission_id": plan["submission_id"],
        "pipeline_parallel_size": len(stages),
        "tensor_parallel_size": tp,
        "nodes": [s["node_id"] for s in stages],
        "ranks": [{"rank": i, "node": s["node_id"], "ip": ip} for i, (s, ip) in enumerate(zip(stages, ips))],
        "bundles": bundles,
        "env": env,
        "command": command,
    }


def event(name, **fields):
    """Prints one ``placement-event`` line; the Java launcher reads these from the job's logs."""
    fields = dict(event=name, **fields)
    print("placement-event " + json.dumps(fields, sort_keys=False), flush=True)


class Refusal(Exception):
    """This runtime cannot run the plan as planned; the message is one line for the user."""


# --- which vLLM and Ray, and which rank order they give ------------------------------------------------

V2_VARIABLE = "VLLM_USE_RAY_V2_EXECUTOR_BACKEND"
V2_MINIMUM_VLLM = "0.20.0"


def runtime_versions():
    """vLLM's and Ray's versions, and whether this vLLM has RayExecutorV2 (it knows its variable)."""
    import ray
    import vllm
    import vllm.envs as envs
    known = getattr(envs, "environment_variables", {})
    return {"vllm": str(getattr(vllm, "__version__", "unknown")), "ray": str(getattr(ray, "__version__", "unknown")),
            "executor": "RayExecutorV2" if V2_VARIABLE in known else "RayDistributedExecutor"}


def old_executor_order(ips, driver_ip):
    """The rank order vLLM's older Ray executor gives workers on these IPs (sort_by_driver_then_worker_ip):
    the driver's node first, then nodes with fewer workers, then by IP *string* (10.0.0.10 before 10.0.0.9)."""
    counts = {ip: ips.count(ip) for ip in ips}
    return sorted(ips, key=lambda ip: (0 if ip == driver_ip else 1, counts[ip], ip))


def check_runtime(launch, versions):
    """Raises Refusal when this vLLM would put the ranks elsewhere than planned."""
    if versions["executor"] == "RayExecutorV2":
        return "rank i runs on bundle i (VLLM_RAY_BUNDLE_INDICES)"
    planned = [r["ip"] for r in launch["ranks"] for _ in range(launch["tensor_parallel_size"])]
    order = old_executor_order(planned, planned[0])
    if order != planned:
        raise Refusal("vLLM %s has no RayExecutorV2 (%s): its Ray executor would order the ranks %s, not as "
                      "planned (%s); use vLLM >= %s, or a placement whose ranks after the first ascend by IP "
                      "string" % (versions["vllm"], V2_VARIABLE, ", ".join(order), ", ".join(planned),
                                  V2_MINIMUM_VLLM))
    return "the older executor's sort keeps the planned order"


# --- the rank check, run as a vLLM general plugin in vLLM's engine-core process --------------------------

PLUGIN = "placement_rank_check"
PLANNED_RANKS_ENV = "PLACEMENT_PLANNED_RANKS"


def install_rank_check(source, planned_ranks):
    """Makes this file a vLLM general plugin for the processes vLLM starts from here.

    vLLM loads the entry points of group ``vllm.general_plugins`` in its engine core before it builds the
    executor; the engine core is a child process, so the plugin's directory goes on PYTHONPATH and the
    planned ranks into the environment.
    """
    import tempfile
    home = tempfile.mkdtemp(prefix="placement-rank-check-")
    with open(os.path.join(home, PLUGIN + ".py"), "w", encoding="utf-8") as f:
        f.write(source)
    info = os.path.join(home, PLUGIN + "-1.0.dist-info")
    os.mkdir(info)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as f:
        f.write("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % PLUGIN)
    with open(os.path.join(info, "entry_points.txt"), "w", encoding="utf-8") as f:
        f.write("[vllm.general_plugins]\n%s = %s:register\n" % (PLUGIN, PLUGIN))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (home, os.environ.get("PYTHONPATH")) if p)
    sys.path.insert(0, home)
    if os.environ.get("VLLM_PLUGINS"):  # the user names the plugins to load: ours must be among them
        os.environ["VLLM_PLUGINS"] += "," + PLUGIN
    os.environ[PLANNED_RANKS_ENV] = json.dumps(planned_ranks)


def verify_ranks(planned, actual):
    """Compares each rank's Ray node with the plan; prints ranks_verified, or raises on a mismatch.

    ``actual`` is [(rank, ray_node_id)] as vLLM's executor assigned them; with tensor parallelism, rank r is
    pipeline stage r // tp.
    """
    import ray
    ip_of = {n["NodeID"]: n["NodeManagerAddress"] for n in ray.nodes()}
    name_of = {p["ip"]: p["node"] for p in planned}
    tp = max(1, len(actual) // len(planned))
    seen = []
    for rank, node_id in sorted(actual):
        want = planned[rank // tp]
        got = ip_of.get(node_id, "unknown node " + str(node_id))
        if got != want["ip"]:
            message = ("rank %d runs on %s (%s), but the plan puts it on %s (%s): vLLM did not keep the planned "
                       "rank order" % (rank, name_of.get(got, "a node outside the plan"), got, want["node"],
                                       want["ip"]))
            event("rank_mismatch", rank=rank, planned_node=want["node"], planned_ip=want["ip"], actual_ip=got,
                  message=message)
            raise RuntimeError("launch_vllm: " + message)
        seen.append({"rank": rank, "node": want["node"], "ip": got, "ray_node_id": node_id})
    event("ranks_verified", ranks=seen)


def _old_executor_ranks(executor):
    import ray
    workers = [w for w in [getattr(executor, "driver_dummy_worker", None)] + list(executor.workers) if w]
    ids = ray.get([w.get_node_and_gpu_ids.remote() for w in workers])
    return [(rank, node_id) for rank, (node_id, _) in enumerate(ids)]


def _patch_old_executor(cls, planned):
    init_workers = cls._init_workers_ray

    def _init_workers_ray(self, placement_group, **kwargs):
        checked = []
        rpc = self.collective_rpc

        def collective_rpc(method, *args, **kw):  # check before the workers take devices and load weights
            if method == "init_device" and not checked:
                checked.append(verify_ranks(planned, _old_executor_ranks(self)))
            return rpc(method, *args, **kw)

        self.collective_rpc = collective_rpc
        try:
            init_workers(self, placement_group, **kwargs)
        finally:
            del self.collective_rpc
        if not checked:
            verify_ranks(planned, _old_executor_ranks(self))

    cls._init_workers_ray = _init_workers_ray


def _patch_v2_executor(cls, planned):
    init_executor = cls._init_executor

    def _init_executor(self):
        init_executor(self)
        verify_ranks(planned, [(h.rank, h.node_id) for h in self.ray_worker_handles])

    cls._init_executor = _init_executor


def register():
    """The plugin's entry point: wraps vLLM's Ray executors so that they check the ranks (idempotent)."""
    planned = os.environ.get(PLANNED_RANKS_ENV)
    if not planned:
        return
    planned = json.loads(planned)
    import importlib
    for module, name, patch in (("vllm.v1.executor.ray_executor_v2", "RayExecutorV2", _patch_v2_executor),
                                ("vllm.v1.executor.ray_executor", "RayDistributedExecutor", _patch_old_executor),
                                ("vllm.v1.executor.ray_distributed_executor", "RayDistributedExecutor",
                                 _patch_old_executor)):
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        if not getattr(cls, "_placement_rank_check", False):
            patch(cls, planned)
            cls._placement_rank_check = True


# --- serving ------------------------------------------------------------------------------------------

def _hand_placement_group_to_engine(group):
    """Makes vLLM use our placement group even in its engine-core subprocess.

    The OpenAI server runs vLLM's engine core in a separate process, where Ray's "current placement group" of
    this actor is not visible; vLLM's ray_utils prefers ``parallel_config.placement_group`` when it is set, and
    the config is pickled into that process. So the group is set on the config right after vLLM builds it.
    """
    try:
        from vllm.engine.arg_utils import AsyncEngineArgs
    except ImportError:  # a vLLM without this class: rely on placement_group_capture_child_tasks alone
        event("warning", message="cannot hand the placement group to vLLM's config")
        return
    build = AsyncEngineArgs.create_engine_config

    def create_engine_config(self, *args, **kwargs):
        config = build(self, *args, **kwargs)
        config.parallel_config.placement_group = group
        return config

    AsyncEngineArgs.create_engine_config = create_engine_config


def run_server(launch, group, source):
    """Runs in the actor on rank 0's node: checks the runtime, installs the rank check, runs vLLM's server.

    Returns (exit code, one-line error or None).
    """
    import runpy
    os.environ.update(launch["env"])
    try:
        versions = runtime_versions()
        order = check_runtime(launch, versions)
    except Refusal as refusal:
        event("refused", message=str(refusal))
        return 3, str(refusal)
    except ImportError as err:
        message = "vLLM or Ray cannot be imported on rank 0's node: %s" % err
        event("refused", message=message)
        return 3, message
    event("runtime", order=order, **versions)
    install_rank_check(source, launch["ranks"])
    _hand_placement_group_to_engine(group)
    sys.argv = ["vllm.entrypoints.openai.api_server", "--model"] + launch["command"][2:]
    try:
        runpy.run_module("vllm.entrypoints.openai.api_server", run_name="__main__", alter_sys=True)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        return code, None if code == 0 else "vLLM's server exited with %s" % exit_.code
    except Exception as err:  # noqa: BLE001 - vLLM raises plain exceptions when its engine fails to start
        import traceback
        traceback.print_exc()
        lines = str(err).strip().splitlines()
        return 1, "vLLM's server failed: %s" % (lines[0] if lines else type(err).__name__)
    return 0, None


def serve(launch_plan):
    """Creates the placement group and runs the OpenAI server on bundle 0; returns the server's exit code."""
    import ray  # imported lazily: --dry-run must work where Ray is not installed
    from ray.util.placement_group import placement_group
    from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

    # Inside a Ray job the job's runtime_env already carries the variables; a second runtime_env here would
    # replace the job's (and its working_dir). Started over SSH, the driver brings them itself.
    if os.environ.get("PLACEMENT_IN_RAY_JOB") == "1":
        ray.init(address="auto")
    else:
        ray.init(address="auto", runtime_env={"env_vars": build_launch(launch_plan)["env"]})
    try:
        launch = build_launch(launch_plan, ray_node_ips(launch_plan["stages"], ray.nodes()))
    except PlanError as err:
        print("launch_vllm: invalid plan: %s" % err, file=sys.stderr, flush=True)
        event("refused", message=str(err))
        return 2
    # The node:<ip> resources fix which node each bundle lands on. STRICT_SPREAD adds that no two bundles share a
    # node, which holds for one GPU per stage; with tensor parallelism a node holds its stage's t bundles.
    strategy = "STRICT_SPREAD" if launch["tensor_parallel_size"] == 1 else "PACK"
    pg = placement_group(launch["bundles"], strategy=strategy, name="placement-%s" % launch["submission_id"])
    pg_timeout = float(os.environ.get("PLACEMENT_PG_TIMEOUT_S", "600"))
    ready, _ = ray.wait([pg.ready()], timeout=pg_timeout)
    if not ready:
        raise SystemExit("placement group %s not ready within %.0f s: is every node alive with a free GPU? "
                         "bundles=%s" % (pg.id, pg_timeout, json.dumps(launch["bundles"])))

    @ray.remote(num_cpus=0, num_gpus=0)
    class OpenAiServer:
        def run(self, launch, group, source):
            return run_server(launch, group, source)

    server = OpenAiServer.options(scheduling_strategy=PlacementGroupSchedulingStrategy(
        placement_group=pg, placement_group_bundle_index=0,
        placement_group_capture_child_tasks=True)).remote()
    event("starting", placement_group=pg.id.hex(), bundles=launch["bundles"])
    with open(os.path.abspath(__file__), encoding="utf-8") as f:
        source = f.read()
    code, error = ray.get(server.run.remote(launch, pg, source))
    if error:
        print("launch_vllm: %s" % error, file=sys.stderr, flush=True)
    return code


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
    except PlanError as err:
        print("launch_vllm: invalid plan: %s" % err, file=sys.stderr)
        return 2
    if opts.dry_run:
        print(json.dumps(build_launch(plan), indent=2, sort_keys=False))
        return 0
    return serve(plan) or 0


if __name__ == "__main__":
    sys.exit(main())
