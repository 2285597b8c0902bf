"""What every output says about how it was made: the global attributes of every dataset (CF 1.8
and ours), and the TLS model (spectrum and relaxation coupling) in words for titles and CLI
summaries. Light: no xarray import."""

from __future__ import annotations

import json
from typing import Any

from dynamics import __version__
from dynamics.ensemble import Resolution
from dynamics.glass import TLSModel
from dynamics.units import PAPER_DOI, PAPER_REFERENCE
from protocols.variables import TAU_MIN_DEFINITION

#: Where the model the datasets cite is stated, in the project's own documentation.
PHYSICS_PAGE = "docs/physics.md of tls-expansion"


def model_attributes(model: Any) -> dict[str, Any]:
    """Dataset attributes naming the model's choices (docs/physics.md): ``spectrum``
    (``"asymptotic"``, ``"exact"`` or ``"tunnelling-model"``), ``relaxation_coupling`` and
    ``interference_fraction`` (docs/exact.md); for a soft-potential glass also ``population``,
    ``activation`` (relaxation beyond tunnelling), ``density_law`` and ``density_scale``
    (S = N0 W [m-3]: P_s eta_L^(5/2) with the |eta| law, for quoting results in the
    literature's reduced units), and with the soft-potential population ``boson_peak_closure``,
    ``boson_peak_energy`` [K] and ``vibration_coupling`` (docs/physics.md §11)."""
    attrs: dict[str, Any] = {
        "spectrum": str(model.spectrum),
        "relaxation_coupling": str(getattr(model, "relaxation_coupling", "symmetric")),
        "interference_fraction": float(getattr(model, "interference_fraction", 0.0)),
    }
    if not hasattr(model, "population"):
        return attrs
    attrs |= {
        "population": str(model.population),
        "activation": str(model.activation),
        "density_law": str(model.density_law),
        "density_scale": float(model.density_scale_volume),
        "density_scale_units": "m-3",
    }
    if model.population == "soft-potential":
        attrs |= {
            "boson_peak_closure": str(model.boson_peak_closure),
            "boson_peak_energy": float(model.boson_peak_energy),
            "boson_peak_energy_units": "K",
            "vibration_coupling": str(model.vibration_coupling),
        }
    return attrs


def model_summary(model: Any) -> str:
    """The TLS model in words, for titles and summaries, e.g. ``"exact spectra, relaxation
    coupling interference (f = 0.25)"``."""
    return f"{model.spectrum_label}, relaxation coupling {model.relaxation_label}"


def provenance(
    *,
    title: str,
    call: str,
    comment: str,
    glass: TLSModel,
    resolution: Resolution | None,
    source: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """Global attributes of a dataset.

    Parameters
    ----------
    title
        What the dataset holds, e.g. ``"heat-step on glass ggp1985"``; the TLS model is
        appended (:func:`model_summary`).
    call
        The function call that made it, e.g. ``"protocols.run(heat-step, glass ggp1985)"``.
    comment
        What the numbers are relative to; the τ_min convention is appended.
    glass
        The glass (recorded as JSON, and its model by :func:`model_attributes`).
    resolution
        The quadrature resolution (the converged default if ``None``).
    source
        Appended to the package name in ``source``.
    extra
        Further attributes (protocol, grid, ...), JSON-encoded where they are dicts.
    """
    attrs: dict[str, Any] = {
        "Conventions": "CF-1.8",
        "title": f"tls-expansion: {title} ({model_summary(glass)})",
        "institution": "tls-expansion",
        "source": f"tls-expansion {__version__} (two-level systems of the soft-potential model)"
        + (f", {source}" if source else ""),
        "references": f"{PAPER_REFERENCE}; model as stated in {PHYSICS_PAGE}",
        "paper_doi": PAPER_DOI,
        "history": f"tls-expansion {__version__}: {call}",
        "comment": f"{comment} {TAU_MIN_DEFINITION}",
        "tls_expansion_version": __version__,
        "glass": json.dumps(glass.to_dict(), sort_keys=True),
        "resolution": json.dumps((resolution or Resolution()).__dict__, sort_keys=True),
        "tau_min_definition": TAU_MIN_DEFINITION,
        **model_attributes(glass),
    }
    for key, value in extra.items():
        attrs[key] = json.dumps(value, sort_keys=True) if isinstance(value, dict) else value
    return attrs
