import ray


class _Id:
    def hex(self):
        return "pg0001"


class PlacementGroup:
    def __init__(self, bundles, strategy, name):
        self.bundle_specs = bundles
        self.strategy = strategy
        self.name = name
        self.id = _Id()

    def ready(self):
        return ray._Ref(self)


def placement_group(bundles, strategy="PACK", name=""):
    ray._record("placement_group", bundles=bundles, strategy=strategy, name=name)
    return PlacementGroup(bundles, strategy, name)
