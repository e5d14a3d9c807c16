class _ParallelConfig:
    def __init__(self, pipeline_parallel_size, tensor_parallel_size):
        self.pipeline_parallel_size = pipeline_parallel_size
        self.tensor_parallel_size = tensor_parallel_size
        self.world_size = pipeline_parallel_size * tensor_parallel_size
        self.placement_group = None


class _Config:
    def __init__(self, parallel_config):
        self.parallel_config = parallel_config


class AsyncEngineArgs:
    def __init__(self, pipeline_parallel_size=1, tensor_parallel_size=1):
        self.pipeline_parallel_size = pipeline_parallel_size
        self.tensor_parallel_size = tensor_parallel_size

    def create_engine_config(self):
        return _Config(_ParallelConfig(self.pipeline_parallel_size, self.tensor_parallel_size))
