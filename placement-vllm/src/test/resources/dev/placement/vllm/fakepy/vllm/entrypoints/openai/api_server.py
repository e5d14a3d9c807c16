"""A stand-in for vLLM's OpenAI server module: reports what it was started with, as vLLM would see it."""
import json
import os
import sys

from vllm.engine.arg_utils import AsyncEngineArgs

if __name__ == "__main__":
    config = AsyncEngineArgs().create_engine_config()
    pg = config.parallel_config.placement_group
    print("FAKE_VLLM " + json.dumps({
        "argv": sys.argv[1:],
        "partition": os.environ.get("VLLM_PP_LAYER_PARTITION"),
        "bundle_indices": os.environ.get("VLLM_RAY_BUNDLE_INDICES"),
        "v2": os.environ.get("VLLM_USE_RAY_V2_EXECUTOR_BACKEND"),
        "config_placement_group": None if pg is None else pg.bundle_specs,
    }), flush=True)
