"""A stand-in for Ray with the signatures launch_vllm.py, preflight.py and the vLLM stand-in call (Ray 2.x).

The cluster comes from FAKE_RAY_CLUSTER, {"nodes": [{"id", "ip", "name"?, "host_ip"?, "alive"?, "port"?,
"gpus"?, "accelerator"?, "env"?, "vllm"?, "nvidia_smi"?, "hang"?}]}: "ip" is the address Ray registered
(NodeManagerAddress, and the node:<ip> resource), "host_ip" the one the host's own routing gives (what vLLM's
get_ip() answers; it may differ on a host with several interfaces), "port" its NodeManagerPort, "gpus" its GPU
resource (default 1). Actors and tasks run in this process, "on" their node: while one runs, FAKE_RAY_NODE names
the node (processes started from an actor, such as vLLM's engine core, see it too) and the node's environment
is in force: its "env" variables; a vLLM distribution of version "vllm" installed (a site directory leading
sys.path, holding vllm-<version>.dist-info), none without; ../fakebin/nvidia-smi first on PATH, answering
"nvidia_smi" (its CSV lines, ';'-separated) or, without, failing as on a host without a driver. A task on a node with "hang" never finishes.
Calls are printed as FAKE_RAY lines.
"""
import importlib
import inspect
import json
import os
import shutil
import stat
import sys
import tempfile

__version__ = "2.50.0"
NODE_ENV = "FAKE_RAY_NODE"


def _record(event, **fields):
    fields["event"] = event
    print("FAKE_RAY " + json.dumps(fields), flush=True)


def _cluster_nodes():
    default = {"nodes": [{"id": "node-head", "ip": "127.0.0.1"}]}
    return json.loads(os.environ.get("FAKE_RAY_CLUSTER") or json.dumps(default))["nodes"]


def _current_node():
    nodes = _cluster_nodes()
    wanted = os.environ.get(NODE_ENV)
    return next((n for n in nodes if n["id"] == wanted), nodes[0])


def nodes():
    """Like ray.nodes(): one dict per node with NodeID, NodeManagerAddress, NodeName, Alive."""
    listed = []
    for n in _cluster_nodes():
        resources = {"GPU": float(n.get("gpus", 1)), "node:" + n["ip"]: 1.0}
        if n.get("accelerator"):
            resources["accelerator_type:" + n["accelerator"]] = 1.0
        listed.append({"NodeID": n["id"], "NodeManagerAddress": n["ip"], "NodeName": n.get("name", n["ip"]),
                       "NodeManagerPort": n.get("port", 0), "Alive": n.get("alive", True), "Resources": resources})
    return listed


_HOMES = {}


def _node_home(node):
    """A directory of this node's own: site/ (its installed distributions) and bin/ (its programs)."""
    if node["id"] not in _HOMES:
        home = tempfile.mkdtemp(prefix="fake-ray-node-")
        site = os.path.join(home, "site")
        os.makedirs(site)
        if node.get("vllm"):
            info = os.path.join(site, "vllm-%s.dist-info" % node["vllm"])
            os.makedirs(info)
            with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as f:
                f.write("Metadata-Version: 2.1\nName: vllm\nVersion: %s\n" % node["vllm"])
        os.makedirs(os.path.join(home, "bin"))
        fakes = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        smi = shutil.copy(os.path.join(fakes, "fakebin", "nvidia-smi"), os.path.join(home, "bin"))
        os.chmod(smi, os.stat(smi).st_mode | stat.S_IXUSR)
        _HOMES[node["id"]] = home
    return _HOMES[node["id"]]


def _node_env(node):
    env = dict(node.get("env", {}))
    home = _node_home(node)
    env["PATH"] = os.path.join(home, "bin") + os.pathsep + env.get("PATH", os.environ.get("PATH", ""))
    if node.get("nvidia_smi"):
        env["FAKE_NVIDIA_SMI"] = node["nvidia_smi"]
    return env


def _on_node(node_id, function, *args, **kwargs):
    """Runs function as if on that node: its FAKE_RAY_NODE, its environment, its distributions on sys.path."""
    node = next((n for n in _cluster_nodes() if n["id"] == node_id), None)
    env = _node_env(node) if node else {}
    saved = {name: os.environ.get(name) for name in [NODE_ENV, "FAKE_NVIDIA_SMI"] + list(env)}
    os.environ[NODE_ENV] = node_id
    os.environ.pop("FAKE_NVIDIA_SMI", None)
    os.environ.update(env)
    site = os.path.join(_node_home(node), "site") if node else None
    if site:
        sys.path.insert(0, site)
    importlib.invalidate_caches()
    try:
        return function(*args, **kwargs)
    finally:
        if site:
            sys.path.remove(site)
        importlib.invalidate_caches()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def init(address=None, runtime_env=None, **kwargs):
    _record("init", address=address, runtime_env=runtime_env)


class _RuntimeContext:
    def get_node_id(self):
        return _current_node()["id"]


def get_runtime_context():
    return _RuntimeContext()


class RayTaskError(Exception):
    """Raised by get() for a task that raised; like Ray's, its message ends with the task's error."""


class _Ref:
    def __init__(self, value, error=None, pending=False):
        self.value = value
        self.error = error
        self.pending = pending or (value is None and error is None)

    def result(self):
        if self.error is not None:
            raise RayTaskError("ray::task failed\n%s: %s" % (type(self.error).__name__, self.error))
        return self.value


def get(refs, timeout=None):
    if isinstance(refs, list):
        return [r.result() for r in refs]
    return refs.result()


def wait(refs, num_returns=1, timeout=None):
    _record("wait", num_returns=num_returns, timeout=timeout)
    ready = [r for r in refs if not r.pending]
    return ready, [r for r in refs if r.pending]


class _RemoteFunction:
    def __init__(self, function, resources):
        self._function = function
        self._resources = resources

    def options(self, **options):
        return _RemoteFunction(self._function, dict(self._resources, **options))

    def remote(self, *args, **kwargs):
        strategy = self._resources.get("scheduling_strategy")
        node = getattr(strategy, "node_id", None) or _current_node()["id"]
        settings = {k: v for k, v in self._resources.items() if k != "scheduling_strategy"}
        _record("task", function=self._function.__name__, node=node, resources=settings,
                soft=getattr(strategy, "soft", None))
        if any(n["id"] == node and n.get("hang") for n in _cluster_nodes()):
            return _Ref(None, pending=True)
        try:
            return _Ref(_on_node(node, self._function, *args, **kwargs))
        except Exception as err:  # the task's error, raised again by get()
            return _Ref(None, error=err)


class _ActorClass:
    def __init__(self, cls, resources):
        self._cls = cls
        self._resources = resources
        self._options = {}

    def options(self, **options):
        self._options = dict(self._options, **options)
        return self

    def remote(self, *args, **kwargs):
        strategy = self._options.get("scheduling_strategy") or self._resources.get("scheduling_strategy")
        group = getattr(strategy, "placement_group", None)
        index = getattr(strategy, "placement_group_bundle_index", None)
        node = group.bundle_node(index) if group is not None else _current_node()["id"]
        resources = {k: v for k, v in self._resources.items() if k != "scheduling_strategy"}
        _record("actor", cls=self._cls.__name__, resources=resources, bundle_index=index, node=node,
                capture_child_tasks=getattr(strategy, "placement_group_capture_child_tasks", None))
        actor = _Actor(None, node)
        actor._instance = actor._call(self._cls, *args, **kwargs)
        return actor


class _Actor:
    def __init__(self, instance, node):
        self._instance = instance
        self._node = node

    def _call(self, function, *args, **kwargs):
        return _on_node(self._node, function, *args, **kwargs)

    def __getattr__(self, name):
        method = getattr(self._instance, name)
        actor = self

        class _Method:
            @staticmethod
            def remote(*args, **kwargs):
                return _Ref(actor._call(method, *args, **kwargs))

        return _Method


def remote(*args, **resources):
    def wrap(target, settings):
        return _ActorClass(target, settings) if inspect.isclass(target) else _RemoteFunction(target, settings)

    if args and callable(args[0]) and not resources:
        return wrap(args[0], {})
    return lambda target: wrap(target, resources)
