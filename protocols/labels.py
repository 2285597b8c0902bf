"""Readable quantities for titles and summaries: a temperature in K or mK, a duration in the
largest unit that keeps it at least 1. Presentation only."""

from __future__ import annotations


def title_temperature(value_K: float) -> str:
    """A temperature [K] for a title: mK below 1 K, e.g. ``"300 mK"``, ``"1.5 K"``."""
    return f"{value_K * 1e3:.3g} mK" if abs(value_K) < 1.0 else f"{value_K:.3g} K"


def title_duration(seconds: float) -> str:
    """A duration [s] for a title, in the largest unit that keeps it >= 1, e.g. ``"10 min"``."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0)):
        if abs(seconds) >= size:
            return f"{seconds / size:.3g} {unit}"
    for unit, size in (("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if abs(seconds) >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"
