import ray


class _Id:
    def hex(self):
        return "pg0001"


class PlacementGroup:
    """Each bundle with a node:<ip> resource is placed on the node Ray registered with that ip; a STRICT_SPREAD
    group with two bundles on one node never becomes ready, as in Ray."""

    def __init__(self, bundles, strategy, name):
        self.bundle_specs = bundles
        self.strategy = strategy
        self.name = name
        self.id = _Id()
        by_ip = {n["NodeManagerAddress"]: n["NodeID"] for n in ray.nodes() if n["Alive"]}
        self.bundles_to_node_id = {}
        for i, bundle in enumerate(bundles):
            ips = [key[len("node:"):] for key in bundle if key.startswith("node:")]
            if ips and ips[0] in by_ip:
                self.bundles_to_node_id[i] = by_ip[ips[0]]

    def bundle_node(self, index):
        return self.bundles_to_node_id[index]

    def ready(self):
        placed = len(self.bundles_to_node_id) == len(self.bundle_specs)
        nodes = list(self.bundles_to_node_id.values())
        if self.strategy == "STRICT_SPREAD" and len(set(nodes)) != len(nodes):
            placed = False  # Ray never schedules two bundles of a STRICT_SPREAD group on one node
        return ray._Ref(self if placed else None)


def placement_group(bundles, strategy="PACK", name=""):
    ray._record("placement_group", bundles=bundles, strategy=strategy, name=name)
    return PlacementGroup(bundles, strategy, name)


def placement_group_table(placement_group):
    return {"bundles_to_node_id": dict(placement_group.bundles_to_node_id)}
