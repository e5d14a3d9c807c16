"""vllm/utils/network_utils.py: get_ip() is VLLM_HOST_IP, else the address the host's routing picks."""
import ray

import vllm.envs as envs


def get_ip():
    return envs.VLLM_HOST_IP or ray._current_node().get("host_ip", ray._current_node()["ip"])
