"""What every output says about the TLS model that made it: spectrum and relaxation coupling.

Used by the dataset attributes and titles (:mod:`protocols.run`, :mod:`protocols.sweep`,
:mod:`protocols.metallic`, hence the plots) and the CLI summaries. Light: no xarray import.
"""

from __future__ import annotations

from typing import Any


def model_attributes(model: Any) -> dict[str, Any]:
    """Dataset attributes naming the TLS model: ``spectrum`` (``"asymptotic"``, ``"exact"`` or
    ``"tunnelling-model"``), ``relaxation_coupling`` (``"symmetric"`` or ``"interference"``)
    and ``interference_fraction`` (docs/exact.md)."""
    return {
        "spectrum": str(model.spectrum),
        "relaxation_coupling": str(getattr(model, "relaxation_coupling", "symmetric")),
        "interference_fraction": float(getattr(model, "interference_fraction", 0.0)),
    }


def model_summary(model: Any) -> str:
    """The TLS model in words, for titles and summaries, e.g. ``"exact spectrum, relaxation
    coupling interference (f = 0.25)"``."""
    return f"{model.spectrum} spectrum, relaxation coupling {model.relaxation_label}"
