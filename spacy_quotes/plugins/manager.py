"""The plugin manager: built-in plugins, then third-party ones from entry points (lazily)."""
import importlib
import logging
from dataclasses import dataclass
from typing import Callable, Dict, Iterable

import pluggy

from . import hookspecs

logger = logging.getLogger("spacy_quotes")

ENTRY_POINT_GROUP = "spacy_quotes"
DEFAULT_PLUGINS = (
    "spacy_quotes.plugins.jsonl", "spacy_quotes.plugins.csv_exporter", "spacy_quotes.plugins.parquet_exporter",
)
BUILTIN_DISTRIBUTION = "spacy-quotes"

pm = pluggy.PluginManager("spacy_quotes")
pm.add_hookspecs(hookspecs)
_loaded = False


def get_plugin_manager() -> pluggy.PluginManager:
    """The plugin manager, with the built-in and installed plugins registered.

    Third-party plugins are loaded from the ``spacy_quotes`` entry-point group on first use,
    never at import time.
    RETURNS (pluggy.PluginManager): the manager.
    """
    global _loaded
    if not _loaded:
        for name in DEFAULT_PLUGINS:
            module = importlib.import_module(name)
            if not pm.is_registered(module):
                pm.register(module, name=name)
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        _loaded = True
    return pm


def plugin_distribution(plugin: object) -> str:
    """RETURNS (str): the distribution a registered plugin comes from."""
    for plug, dist in pm.list_plugin_distinfo():
        if plug is plugin:
            return dist.metadata["Name"] if hasattr(dist, "metadata") else dist.project_name
    name = pm.get_name(plugin) or ""
    if name in DEFAULT_PLUGINS:
        return BUILTIN_DISTRIBUTION
    module = getattr(plugin, "__module__", None) or getattr(plugin, "__name__", "")
    return f"(registered in process: {name or module})"


@dataclass
class Exporter:
    """An output format."""

    name: str
    export: Callable[[Iterable[dict], str], None]
    description: str
    extension: str
    distribution: str


def get_exporters() -> Dict[str, Exporter]:
    """Every registered exporter by name.

    RETURNS (Dict[str, Exporter]): the exporters.
    RAISES ValueError: two plugins register the same name (the error names both distributions).
    """
    manager = get_plugin_manager()
    exporters: Dict[str, Exporter] = {}
    for impl in manager.hook.register_exporters.get_hookimpls():
        dist = plugin_distribution(impl.plugin)

        def register(name: str, export: Callable, *, description: str = "", extension: str = "",
                     _dist: str = dist) -> None:
            if name in exporters:
                raise ValueError(
                    f"Two plugins register the exporter '{name}': {exporters[name].distribution} "
                    f"and {_dist}. Uninstall one of them."
                )
            exporters[name] = Exporter(name, export, description, extension, _dist)

        impl.function(register=register)
    return dict(sorted(exporters.items()))


def get_exporter(name: str) -> Exporter:
    """RETURNS (Exporter): the exporter called ``name``; ValueError naming the known ones if none."""
    exporters = get_exporters()
    if name not in exporters:
        raise ValueError(f"Unknown output format '{name}'. Known formats: {', '.join(exporters)}")
    return exporters[name]


def process_record(record: dict, quote: object, doc: object) -> dict:
    """Run the ``process_record`` hook of every plugin on a record; RETURNS (dict): the record."""
    for extra in get_plugin_manager().hook.process_record(record=record, quote=quote, doc=doc):
        if extra:
            record.update(extra)
    return record


def unregister(plugin: object) -> None:
    """Unregister a plugin (tests, notebooks)."""
    pm.unregister(plugin)


__all__ = ["Exporter", "get_plugin_manager", "get_exporters", "get_exporter", "process_record", "pm", "unregister"]
