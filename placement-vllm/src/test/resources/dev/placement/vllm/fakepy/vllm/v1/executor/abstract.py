"""vllm/v1/executor/abstract.py: Executor.get_class picks the Ray executor by VLLM_USE_RAY_V2_EXECUTOR_BACKEND."""
import vllm.envs as envs


class Executor:
    uses_ray = False

    def __init__(self, vllm_config):
        self.vllm_config = vllm_config
        self.parallel_config = vllm_config.parallel_config
        self._init_executor()

    @staticmethod
    def get_class(vllm_config):
        if "VLLM_USE_RAY_V2_EXECUTOR_BACKEND" in envs.environment_variables and envs.VLLM_USE_RAY_V2_EXECUTOR_BACKEND:
            from vllm.v1.executor.ray_executor_v2 import RayExecutorV2
            return RayExecutorV2
        from vllm.v1.executor.ray_executor import RayDistributedExecutor
        return RayDistributedExecutor
