"""A stand-in for vLLM's OpenAI server module: builds the config, starts the engine core in a spawned child
process as vLLM does, and fails as vLLM does when the engine core fails; it serves nothing."""
import json
import multiprocessing
import os
import sys

from vllm.engine.arg_utils import AsyncEngineArgs

if __name__ == "__main__":
    argv = sys.argv[1:]
    pp = int(argv[argv.index("--pipeline-parallel-size") + 1]) if "--pipeline-parallel-size" in argv else 1
    tp = int(argv[argv.index("--tensor-parallel-size") + 1]) if "--tensor-parallel-size" in argv else 1
    config = AsyncEngineArgs(pipeline_parallel_size=pp, tensor_parallel_size=tp).create_engine_config()
    pg = config.parallel_config.placement_group
    print("FAKE_VLLM " + json.dumps({
        "argv": argv,
        "partition": os.environ.get("VLLM_PP_LAYER_PARTITION"),
        "bundle_indices": os.environ.get("VLLM_RAY_BUNDLE_INDICES"),
        "v2": os.environ.get("VLLM_USE_RAY_V2_EXECUTOR_BACKEND"),
        "config_placement_group": None if pg is None else pg.bundle_specs,
    }), flush=True)
    from vllm.v1.engine.core import run_engine_core

    engine = multiprocessing.get_context("spawn").Process(target=run_engine_core, args=(config,))
    engine.start()
    engine.join()
    if engine.exitcode != 0:
        raise RuntimeError("Engine core initialization failed. See root cause above. "
                           "Failed core proc(s): {'EngineCore_0': %d}" % engine.exitcode)
