"""tls-expansion physics: two-level systems of the soft-potential model and their relaxation.

Galperin, Gurevich & Parshin, Phys. Rev. B 32, 6873 (1985). SI units inside; temperatures in K.

The names below are the public API (``help(dynamics)`` lists them; the built reference documents
each): the glasses and their presets, the ensemble resolution, and the model functions a user
calls directly. Everything else lives in the submodules (``dynamics.rates``,
``dynamics.closed_forms``, ...), which are importable but not part of the top-level API.
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from dynamics.exports import lazy_exports

#: Where each public name lives: imported on first use (PEP 562), so that importing the package
#: (the command line's ``--help``, a worker process) costs only what is used.
_EXPORTS: dict[str, str] = {
    "alpha_type1": "dynamics.closed_forms",
    "alpha_type2": "dynamics.closed_forms",
    "closed_form_gruneisen": "dynamics.closed_forms",
    "gruneisen_kki": "dynamics.closed_forms",
    "gruneisen_time_constant": "dynamics.closed_forms",
    "heat_capacity_kki": "dynamics.closed_forms",
    "deformation_even_type1": "dynamics.deformation",
    "deformation_even_type2": "dynamics.deformation",
    "Resolution": "dynamics.ensemble",
    "build_ensemble": "dynamics.ensemble",
    "solve_soft_potential": "dynamics.exact",
    "Glass": "dynamics.glass",
    "TLSModel": "dynamics.glass",
    "TunnellingGlass": "dynamics.glass",
    "DEFAULT_PRESET": "dynamics.presets",
    "PRESETS": "dynamics.presets",
    "Preset": "dynamics.presets",
    "default_glass": "dynamics.presets",
    "get_glass": "dynamics.presets",
    "get_preset": "dynamics.presets",
    "relaxation_rate": "dynamics.rates",
    "tau_min": "dynamics.rates",
    "asymmetry_type1": "dynamics.soft_potential",
    "asymmetry_type2": "dynamics.soft_potential",
    "tunnel_splitting_type1": "dynamics.soft_potential",
    "tunnel_splitting_type2": "dynamics.soft_potential",
    "equilibrium_occupation": "dynamics.thermal",
    "NumericalError": "dynamics.validation",
    "ParameterError": "dynamics.validation",
    "TwoLevelRangeWarning": "dynamics.validation",
}

if TYPE_CHECKING:  # the names as the type checker and the documentation see them
    from dynamics.closed_forms import (
        alpha_type1,
        alpha_type2,
        closed_form_gruneisen,
        gruneisen_kki,
        gruneisen_time_constant,
        heat_capacity_kki,
    )
    from dynamics.deformation import deformation_even_type1, deformation_even_type2
    from dynamics.ensemble import Resolution, build_ensemble
    from dynamics.exact import solve_soft_potential
    from dynamics.glass import Glass, TLSModel, TunnellingGlass
    from dynamics.presets import (
        DEFAULT_PRESET,
        PRESETS,
        Preset,
        default_glass,
        get_glass,
        get_preset,
    )
    from dynamics.rates import relaxation_rate, tau_min
    from dynamics.soft_potential import (
        asymmetry_type1,
        asymmetry_type2,
        tunnel_splitting_type1,
        tunnel_splitting_type2,
    )
    from dynamics.thermal import equilibrium_occupation
    from dynamics.validation import NumericalError, ParameterError, TwoLevelRangeWarning


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "Glass",
    "NumericalError",
    "ParameterError",
    "Preset",
    "Resolution",
    "TLSModel",
    "TunnellingGlass",
    "TwoLevelRangeWarning",
    "__version__",
    "alpha_type1",
    "alpha_type2",
    "asymmetry_type1",
    "asymmetry_type2",
    "build_ensemble",
    "closed_form_gruneisen",
    "default_glass",
    "deformation_even_type1",
    "deformation_even_type2",
    "equilibrium_occupation",
    "get_glass",
    "get_preset",
    "gruneisen_kki",
    "gruneisen_time_constant",
    "heat_capacity_kki",
    "relaxation_rate",
    "solve_soft_potential",
    "tau_min",
    "tunnel_splitting_type1",
    "tunnel_splitting_type2",
]
