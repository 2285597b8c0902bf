"""tls-expansion physics: two-level systems of the soft-potential model and their relaxation.

Galperin, Gurevich & Parshin, Phys. Rev. B 32, 6873 (1985). SI units inside; temperatures in K.
"""

from dynamics.glass import Glass, TLSModel, TunnellingGlass
from dynamics.presets import DEFAULT_PRESET, PRESETS, default_glass, get_glass
from dynamics.validation import NumericalError, ParameterError, TwoLevelRangeWarning

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "Glass",
    "NumericalError",
    "ParameterError",
    "TLSModel",
    "TunnellingGlass",
    "TwoLevelRangeWarning",
    "__version__",
    "default_glass",
    "get_glass",
]
