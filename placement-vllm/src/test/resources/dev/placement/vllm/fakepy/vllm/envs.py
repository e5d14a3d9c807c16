"""vllm/envs.py: the variables vLLM reads, looked up by name through environment_variables."""
import os

import vllm

environment_variables = {
    "VLLM_PP_LAYER_PARTITION": lambda: os.getenv("VLLM_PP_LAYER_PARTITION", None),
    "VLLM_RAY_BUNDLE_INDICES": lambda: os.getenv("VLLM_RAY_BUNDLE_INDICES", ""),
    "VLLM_RAY_PER_WORKER_GPUS": lambda: float(os.getenv("VLLM_RAY_PER_WORKER_GPUS", "1.0")),
    "VLLM_HOST_IP": lambda: os.getenv("VLLM_HOST_IP", ""),
    "VLLM_PLUGINS": lambda: None if "VLLM_PLUGINS" not in os.environ else os.environ["VLLM_PLUGINS"].split(","),
}
if vllm._version_tuple() >= (0, 20):  # added by vLLM PR #36836 (off by default until 0.23)
    environment_variables["VLLM_USE_RAY_V2_EXECUTOR_BACKEND"] = lambda: bool(
        int(os.getenv("VLLM_USE_RAY_V2_EXECUTOR_BACKEND", "1" if vllm._version_tuple() >= (0, 23) else "0")))


def __getattr__(name):
    if name in environment_variables:
        return environment_variables[name]()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
