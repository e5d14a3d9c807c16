"""vllm/v1/executor/ray_executor.py: the older Ray executor. Its _init_workers_ray creates one worker per
bundle, then re-sorts them (sort_by_driver_then_worker_ip) and gives rank i to the i-th after sorting."""
import json

import ray
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

import vllm.envs as envs
from vllm.utils.network_utils import get_ip
from vllm.v1.executor.abstract import Executor
from vllm.v1.executor.ray_utils import RayWorkerWrapper, initialize_ray_cluster


class RayWorkerMetaData:
    def __init__(self, worker, created_rank):
        self.worker = worker
        self.created_rank = created_rank
        self.adjusted_rank = -1
        self.ip = ""


class RayDistributedExecutor(Executor):
    uses_ray = True

    def _init_executor(self):
        initialize_ray_cluster(self.parallel_config)
        self._init_workers_ray(self.parallel_config.placement_group)

    def collective_rpc(self, method, timeout=None, args=(), kwargs=None):
        return ray.get([w.execute_method.remote(method, *args, **(kwargs or {})) for w in self.workers])

    def _init_workers_ray(self, placement_group, **ray_remote_kwargs):
        self.driver_dummy_worker = None
        self.workers = []
        if envs.VLLM_RAY_BUNDLE_INDICES:
            bundle_indices = list(map(int, envs.VLLM_RAY_BUNDLE_INDICES.split(",")))
        else:
            bundle_indices = [i for i, b in enumerate(placement_group.bundle_specs) if b.get("GPU", 0)]
            bundle_indices = bundle_indices[: self.parallel_config.world_size]
        worker_metadata = []
        driver_ip = get_ip()
        for rank, bundle_id in enumerate(bundle_indices):
            strategy = PlacementGroupSchedulingStrategy(placement_group=placement_group,
                                                        placement_group_capture_child_tasks=True,
                                                        placement_group_bundle_index=bundle_id)
            worker = ray.remote(num_cpus=0, num_gpus=envs.VLLM_RAY_PER_WORKER_GPUS,
                                scheduling_strategy=strategy)(RayWorkerWrapper).remote(rpc_rank=rank)
            worker_metadata.append(RayWorkerMetaData(worker=worker, created_rank=rank))
        worker_ips = ray.get([each.worker.get_node_ip.remote() for each in worker_metadata])
        for each, ip in zip(worker_metadata, worker_ips):
            each.ip = ip
        ip_counts = {}
        for ip in worker_ips:
            ip_counts[ip] = ip_counts.get(ip, 0) + 1

        def sort_by_driver_then_worker_ip(item):
            ip = item.ip
            return 0 if ip == driver_ip else 1, ip_counts[ip], ip

        sorted_worker_metadata = sorted(worker_metadata, key=sort_by_driver_then_worker_ip)
        for i, item in enumerate(sorted_worker_metadata):
            item.adjusted_rank = i
        self.workers = [item.worker for item in sorted_worker_metadata]
        rerank_mapping = {item.created_rank: item.adjusted_rank for item in sorted_worker_metadata}
        self.collective_rpc("adjust_rank", args=(rerank_mapping,))
        worker_node_and_gpu_ids = [ray.get(w.get_node_and_gpu_ids.remote()) for w in self.workers]
        print("FAKE_VLLM_EXECUTOR " + json.dumps({"executor": "RayDistributedExecutor",
                                                  "rank_nodes": [n for n, _ in worker_node_and_gpu_ids]}),
              flush=True)
        self.collective_rpc("update_environment_variables", args=([{}] * len(self.workers),))
        all_kwargs = [dict(vllm_config=self.vllm_config, local_rank=0, rank=rank) for rank in range(len(self.workers))]
        self.collective_rpc("init_worker", args=(all_kwargs,))
        self.collective_rpc("init_device")
        self.collective_rpc("load_model")
