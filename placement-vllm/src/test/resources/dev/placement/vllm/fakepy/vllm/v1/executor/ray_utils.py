"""vllm/v1/executor/ray_utils.py: the worker wrapper of the older executor and the bundle look-up of the new."""
import ray
from ray.util.placement_group import placement_group_table

from vllm.utils.network_utils import get_ip


class RayWorkerWrapper:
    def __init__(self, rpc_rank=0):
        self.rpc_rank = rpc_rank
        self.rank = None

    def get_node_ip(self):
        return get_ip()

    def get_node_and_gpu_ids(self):
        return ray.get_runtime_context().get_node_id(), ["0"]

    def adjust_rank(self, rank_mapping):
        self.rpc_rank = rank_mapping[self.rpc_rank]

    def update_environment_variables(self, envs_list):
        pass

    def init_worker(self, all_kwargs):
        self.rank = all_kwargs[self.rpc_rank]["rank"]

    def init_device(self):
        print("FAKE_VLLM_WORKER init_device rank %d" % self.rank, flush=True)

    def load_model(self):
        pass

    def execute_method(self, method, *args, **kwargs):
        return getattr(self, method)(*args, **kwargs)


def initialize_ray_cluster(parallel_config, ray_address=None, require_gpu_on_driver=True):
    assert parallel_config.placement_group is not None, "the stand-in needs the launcher's placement group"


def get_bundles_for_indices(placement_group, bundle_indices, world_size):
    assert len(bundle_indices) == world_size, "VLLM_RAY_BUNDLE_INDICES must have the same size as the world size"
    assert len(set(bundle_indices)) == len(bundle_indices), "VLLM_RAY_BUNDLE_INDICES cannot have duplicate values"
    pg_bundle_to_node = placement_group_table(placement_group)["bundles_to_node_id"]
    node_id_to_ip = {n["NodeID"]: n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]}
    return [(bid, pg_bundle_to_node[bid], node_id_to_ip[pg_bundle_to_node[bid]]) for bid in bundle_indices]
