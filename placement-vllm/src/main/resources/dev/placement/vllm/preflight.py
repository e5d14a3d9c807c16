#!/usr/bin/env python3
"""Check a Ray cluster for a planned vLLM launch, on every planned node, without starting vLLM.

Shipped by the Placement Java SDK (dev.placement.vllm) beside launch_vllm.py and run as a short Ray job with
the same plan (``--plan-b64``) and the same runtime environment as the launch. It

1. finds each planned node in Ray's own node list (``ray.nodes()``, as the launcher does; never by DNS);
2. runs one task on each node found (pinned by NodeAffinitySchedulingStrategy, no CPU or GPU asked) that
   reports the node's Ray and vLLM versions (vLLM's from its installed distribution: importing vLLM would take
   seconds and load torch), its GPUs with their total and free memory (``nvidia-smi``), and whether a TCP
   connection reaches every other planned node's Ray node manager (``NodeManagerAddress:NodeManagerPort``);
3. asks, with rank 0's vLLM version, whether that vLLM keeps the planned rank order (launch_vllm.check_runtime).

It prints one line ``placement-event {"event": "preflight", ...}`` with the facts and exits 0; the Java side
decides what blocks the launch. A malformed plan exits 2. PLACEMENT_PREFLIGHT_TIMEOUT_S bounds the wait for the
node tasks (default 60 s); a node that does not answer in time is reported so.
"""

import argparse
import importlib.metadata
import os
import re
import socket
import subprocess
import sys

import launch_vllm

CONNECT_TIMEOUT_S = 3.0
NVIDIA_SMI_QUERY = ["nvidia-smi", "--query-gpu=index,name,memory.total,memory.free", "--format=csv,noheader,nounits"]


def vllm_version():
    """The installed vLLM's version, or None when this Python environment has no vLLM distribution."""
    try:
        return importlib.metadata.version("vllm")
    except importlib.metadata.PackageNotFoundError:
        return None


def executor_for(version):
    """The Ray executor a vLLM of this version gives pipeline ranks: RayExecutorV2 from 0.20.0 on."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0])[:3]]
    minimum = [int(n) for n in launch_vllm.V2_MINIMUM_VLLM.split(".")]
    return "RayExecutorV2" if numbers + [0] * (3 - len(numbers)) >= minimum else "RayDistributedExecutor"


def _mib(text):
    text = text.strip()
    return int(float(text)) if re.fullmatch(r"\d+(\.\d+)?", text) else None


def gpus():
    """(GPUs as nvidia-smi lists them, None) or (None, why they could not be listed)."""
    try:
        done = subprocess.run(NVIDIA_SMI_QUERY, capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return None, "nvidia-smi is not installed"
    except (OSError, subprocess.SubprocessError) as err:
        return None, "nvidia-smi failed: %s" % err
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return None, "nvidia-smi exited %d: %s" % (done.returncode, lines[0][:200] if lines else "no output")
    found = []
    for line in done.stdout.splitlines()[:64]:
        fields = [f.strip() for f in line.split(",")]
        if len(fields) == 4:
            found.append({"index": fields[0], "name": fields[1][:80], "memory_total_mib": _mib(fields[2]),
                          "memory_free_mib": _mib(fields[3])})
    return found, None


def reach(target):
    """Whether a TCP connection to another node's Ray node manager opens from here."""
    result = dict(target)
    try:
        with socket.create_connection((target["address"], target["port"]), timeout=CONNECT_TIMEOUT_S):
            result["reachable"] = True
    except OSError as err:
        result["reachable"] = False
        result["error"] = (err.strerror or str(err) or type(err).__name__)[:200]
    return result


def node_facts(targets):
    """What one node's Python environment, GPUs and network look like; runs on that node."""
    import ray
    version = vllm_version()
    found, gpu_error = gpus()
    return {"ray": str(getattr(ray, "__version__", "unknown")), "vllm": version, "gpus": found, "gpu_error": gpu_error, "reaches": [reach(t) for t in targets]}


def _accelerator(resources):
    names = [k[len("accelerator_type:"):] for k in resources if k.startswith("accelerator_type:")]
    return names[0] if names else None


def check(plan, ray):
    """The preflight event's fields for a validated plan, with Ray already initialised."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    alive = [n for n in ray.nodes() if n.get("Alive")]
    stages = plan["stages"]
    nodes = []
    for i, stage in enumerate(stages):
        entry = {"rank": i, "node": stage["node_id"], "address": stage["node_ip"]}
        try:
            found = launch_vllm.find_ray_node(i, stage, alive)
        except launch_vllm.PlanError as err:
            entry.update(known=False, error=str(err))
        else:
            resources = found.get("Resources") or {}
            entry.update(known=True, ray_node_id=found["NodeID"], ray_ip=found["NodeManagerAddress"],
                         ray_node_name=found.get("NodeName"), ray_port=found.get("NodeManagerPort"),
                         ray_gpus=resources.get("GPU", 0), accelerator=_accelerator(resources))
        nodes.append(entry)

    remote_facts = ray.remote(num_cpus=0, max_retries=0)(node_facts)
    pending = {}
    for entry in nodes:
        if not entry["known"]:
            continue
        targets = [{"node": other["node"], "address": other["ray_ip"], "port": other["ray_port"]}
                   for other in nodes if other is not entry and other["known"] and other.get("ray_port")]
        strategy = NodeAffinitySchedulingStrategy(node_id=entry["ray_node_id"], soft=False)
        pending[entry["rank"]] = remote_facts.options(scheduling_strategy=strategy).remote(targets)
    timeout = float(os.environ.get("PLACEMENT_PREFLIGHT_TIMEOUT_S", "60"))
    refs = list(pending.values())
    ready, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout) if refs else ([], [])
    for rank, ref in pending.items():
        if ref not in ready:
            nodes[rank]["error"] = ("the check on this node did not finish within %.0f s (is its raylet busy, or "
                                    "its runtime environment still being installed?)" % timeout)
            continue
        try:
            facts = ray.get(ref)
            facts["executor"] = executor_for(facts["vllm"]) if facts.get("vllm") else None
            nodes[rank]["facts"] = facts
        except Exception as err:  # a task that failed on its node: its message is the finding
            lines = str(err).strip().splitlines()
            nodes[rank]["error"] = "the check failed on this node: %s" % (lines[-1][:300] if lines else err)

    order = None
    first = nodes[0].get("facts")
    if first and first.get("vllm") and all(n["known"] for n in nodes):
        versions = {"vllm": first["vllm"], "ray": first["ray"], "executor": first["executor"]}
        launch = {"ranks": [{"ip": n["ray_ip"]} for n in nodes],
                  "tensor_parallel_size": launch_vllm.tensor_parallel_size(plan)}
        try:
            order = {"keeps_plan": True, "message": launch_vllm.check_runtime(launch, versions)}
        except launch_vllm.Refusal as err:
            order = {"keeps_plan": False, "message": str(err)}
    return {"nodes": nodes, "order": order}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan-b64", help="the plan, base64url-encoded JSON (default: $%s)"
                        % launch_vllm.PLAN_ENV)
    opts = parser.parse_args(argv)
    encoded = opts.plan_b64 if opts.plan_b64 is not None else os.environ.get(launch_vllm.PLAN_ENV)
    if encoded is None:
        parser.error("no plan: pass --plan-b64 or set %s" % launch_vllm.PLAN_ENV)
    try:
        plan = launch_vllm.validate_plan(launch_vllm.decode_plan(encoded))
    except launch_vllm.PlanError as err:
        print("preflight: invalid plan: %s" % err, file=sys.stderr)
        return 2
    import ray  # imported here: a malformed plan is reported without Ray
    ray.init(address="auto")
    launch_vllm.event("preflight", **check(plan, ray))
    return 0


if __name__ == "__main__":
    sys.exit(main())
