"""A stand-in for vLLM: the modules, classes and functions launch_vllm.py relies on, with vLLM's signatures
(read in vLLM's sources; docs/RUNTIME.md lists them). FAKE_VLLM_VERSION picks the version (default 0.25.1):
before 0.20.0 there is no RayExecutorV2 and vllm.envs does not know VLLM_USE_RAY_V2_EXECUTOR_BACKEND."""
import os

__version__ = os.environ.get("FAKE_VLLM_VERSION", "0.25.1")


def _version_tuple():
    return tuple(int(p) for p in __version__.split(".")[:2])
