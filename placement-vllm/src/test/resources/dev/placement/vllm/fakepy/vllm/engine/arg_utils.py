class _ParallelConfig:
    placement_group = None


class _Config:
    def __init__(self):
        self.parallel_config = _ParallelConfig()


class AsyncEngineArgs:
    def create_engine_config(self):
        return _Config()
