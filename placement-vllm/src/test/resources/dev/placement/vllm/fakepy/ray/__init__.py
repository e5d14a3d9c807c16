"""A stand-in for Ray, just enough for launch_vllm.py's serve(): records what the launcher asks for."""
import json
import sys

_events = []


def _record(event, **fields):
    fields["event"] = event
    print("FAKE_RAY " + json.dumps(fields), flush=True)


def init(address=None, runtime_env=None, **kwargs):
    _record("init", address=address, runtime_env=runtime_env)


class _Ref:
    def __init__(self, value):
        self.value = value


def get(ref):
    return ref.value


def wait(refs, timeout=None):
    return list(refs), []


class _ActorClass:
    def __init__(self, cls, resources):
        self._cls = cls
        self._resources = resources
        self._options = {}

    def options(self, **options):
        self._options = options
        return self

    def remote(self, *args, **kwargs):
        strategy = self._options.get("scheduling_strategy")
        _record("actor", resources=self._resources,
                bundle_index=getattr(strategy, "placement_group_bundle_index", None),
                capture_child_tasks=getattr(strategy, "placement_group_capture_child_tasks", None))
        return _Actor(self._cls(*args, **kwargs))


class _Actor:
    def __init__(self, instance):
        self._instance = instance

    def __getattr__(self, name):
        method = getattr(self._instance, name)

        class _Method:
            @staticmethod
            def remote(*args, **kwargs):
                return _Ref(method(*args, **kwargs))

        return _Method


def remote(*args, **resources):
    if args and callable(args[0]) and not resources:
        return _ActorClass(args[0], {})
    return lambda cls: _ActorClass(cls, resources)
