"""vllm/v1/executor/ray_executor_v2.py: RayExecutorV2 (vLLM >= 0.20.0) gives rank i to bundle
VLLM_RAY_BUNDLE_INDICES[i] (get_bundles_for_indices) and keeps one RayWorkerHandle per rank."""
import json
from dataclasses import dataclass

import ray
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

import vllm
import vllm.envs as envs
from vllm.v1.executor.abstract import Executor
from vllm.v1.executor.ray_utils import get_bundles_for_indices, initialize_ray_cluster

if vllm._version_tuple() < (0, 20):
    raise ImportError("RayExecutorV2 was added in vLLM 0.20.0")


@dataclass
class RayWorkerHandle:
    actor: object
    rank: int
    local_rank: int
    node_id: str
    bundle_id_idx: int = -1


class RayWorkerProc:
    def __init__(self, vllm_config, rank, input_shm_handle=None, is_driver_worker=False, is_driver_node=False):
        self.rank = rank

    def get_node_and_physical_gpu_ids(self):
        return ray.get_runtime_context().get_node_id(), [0]


class RayExecutorV2(Executor):
    uses_ray = True

    def _init_executor(self):
        initialize_ray_cluster(self.parallel_config, require_gpu_on_driver=False)
        placement_group = self.parallel_config.placement_group
        world_size = self.parallel_config.world_size
        if envs.VLLM_RAY_BUNDLE_INDICES:
            bundle_to_node_id = get_bundles_for_indices(
                placement_group, list(map(int, envs.VLLM_RAY_BUNDLE_INDICES.split(","))), world_size)
        else:
            raise AssertionError("the stand-in expects VLLM_RAY_BUNDLE_INDICES")
        driver_node = ray.get_runtime_context().get_node_id()
        self.ray_worker_handles = []
        for rank, (bundle_id_idx, node_id, node_ip) in enumerate(bundle_to_node_id):
            strategy = PlacementGroupSchedulingStrategy(placement_group=placement_group,
                                                        placement_group_bundle_index=bundle_id_idx)
            actor = ray.remote(RayWorkerProc).options(num_cpus=0, num_gpus=1, scheduling_strategy=strategy).remote(
                vllm_config=self.vllm_config, rank=rank, is_driver_node=node_id == driver_node)
            self.ray_worker_handles.append(RayWorkerHandle(actor=actor, rank=rank, local_rank=-1, node_id=node_id,
                                                           bundle_id_idx=bundle_id_idx))
        placed = ray.get([h.actor.get_node_and_physical_gpu_ids.remote() for h in self.ray_worker_handles])
        print("FAKE_VLLM_EXECUTOR " + json.dumps({"executor": "RayExecutorV2",
                                                  "rank_nodes": [n for n, _ in placed]}), flush=True)
