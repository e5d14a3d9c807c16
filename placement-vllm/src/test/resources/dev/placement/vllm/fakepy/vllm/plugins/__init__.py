"""vllm/plugins/__init__.py: general plugins are the entry points of group vllm.general_plugins."""
from importlib.metadata import entry_points

import vllm.envs as envs

DEFAULT_PLUGINS_GROUP = "vllm.general_plugins"
plugins_loaded = False


def load_plugins_by_group(group):
    allowed_plugins = envs.VLLM_PLUGINS
    plugins = {}
    for plugin in entry_points(group=group):
        if allowed_plugins is None or plugin.name in allowed_plugins:
            plugins[plugin.name] = plugin.load()
    return plugins


def load_general_plugins():
    global plugins_loaded
    if plugins_loaded:
        return
    plugins_loaded = True
    for func in load_plugins_by_group(group=DEFAULT_PLUGINS_GROUP).values():
        func()
