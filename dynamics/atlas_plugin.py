"""The ``distributed`` worker plugin that carries the spectral atlas to every worker.

Imported only by :func:`dynamics.atlas_store.ship_atlas` (it imports ``distributed``).
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from dynamics.atlas_store import install_atlas
from dynamics.exact.tables import Atlas

__all__ = ["AtlasPlugin"]


class AtlasPlugin(WorkerPlugin):  # type: ignore[misc]
    """Installs an atlas in every worker's process; the arrays travel with the plugin (a few
    MB), so workers on other machines neither read a cache nor build."""

    name = "tls-expansion-atlas"

    def __init__(self, atlas: Atlas) -> None:
        self.atlas = atlas

    def setup(self, worker: Any = None) -> None:
        """Install the atlas in the worker's process (called by ``distributed``)."""
        install_atlas(self.atlas.with_origin("shipped"))
