from vllm.v1.executor.abstract import Executor  # noqa: F401
