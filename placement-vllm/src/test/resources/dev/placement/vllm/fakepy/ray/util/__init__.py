import ray


def get_node_ip_address():
    """The address Ray registered for the node this code runs on."""
    return ray._current_node()["ip"]
