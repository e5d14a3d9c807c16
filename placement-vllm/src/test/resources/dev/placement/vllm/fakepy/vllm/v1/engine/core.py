"""vllm/v1/engine/core.py: EngineCore loads the general plugins, then builds the executor."""
import json


class EngineCore:
    def __init__(self, vllm_config, executor_class, log_stats=False, executor_fail_callback=None):
        from vllm.plugins import load_general_plugins

        load_general_plugins()
        self.vllm_config = vllm_config
        self.model_executor = executor_class(vllm_config)


def run_engine_core(vllm_config):
    """The engine-core process's entry (vLLM runs it in a child process started with spawn)."""
    from vllm.v1.executor import Executor

    EngineCore(vllm_config, Executor.get_class(vllm_config))
    print("FAKE_VLLM_ENGINE " + json.dumps({"ready": True}), flush=True)
