"""A stand-in for Ray with the signatures launch_vllm.py and the vLLM stand-in call (Ray 2.x).

The cluster comes from FAKE_RAY_CLUSTER, {"nodes": [{"id", "ip", "name"?, "host_ip"?, "alive"?}]}: "ip" is the
address Ray registered (NodeManagerAddress, and the node:<ip> resource), "host_ip" the one the host's own
routing gives (what vLLM's get_ip() answers; it may differ on a host with several interfaces). Actors run in
this process; while one of their methods runs, FAKE_RAY_NODE names the node the actor was placed on, so that
processes started from an actor (vLLM's engine core) see that node too. Calls are printed as FAKE_RAY lines.
"""
import json
import os

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
    return [{"NodeID": n["id"], "NodeManagerAddress": n["ip"], "NodeName": n.get("name", n["ip"]),
             "Alive": n.get("alive", True), "Resources": {"GPU": 1.0, "node:" + n["ip"]: 1.0}}
            for n in _cluster_nodes()]


def init(address=None, runtime_env=None, **kwargs):
    _record("init", address=address, runtime_env=runtime_env)


class _RuntimeContext:
    def get_node_id(self):
        return _current_node()["id"]


def get_runtime_context():
    return _RuntimeContext()


class _Ref:
    def __init__(self, value):
        self.value = value


def get(refs, timeout=None):
    if isinstance(refs, list):
        return [r.value for r in refs]
    return refs.value


def wait(refs, timeout=None):
    ready = [r for r in refs if r.value is not None]
    return ready, [r for r in refs if r.value is None]


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
        before = os.environ.get(NODE_ENV)
        os.environ[NODE_ENV] = self._node
        try:
            return function(*args, **kwargs)
        finally:
            if before is None:
                del os.environ[NODE_ENV]
            else:
                os.environ[NODE_ENV] = before

    def __getattr__(self, name):
        method = getattr(self._instance, name)
        actor = self

        class _Method:
            @staticmethod
            def remote(*args, **kwargs):
                return _Ref(actor._call(method, *args, **kwargs))

        return _Method


def remote(*args, **resources):
    if args and callable(args[0]) and not resources:
        return _ActorClass(args[0], {})
    return lambda cls: _ActorClass(cls, resources)
