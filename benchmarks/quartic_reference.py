"""High-precision levels of the pure quartic oscillator -psi'' + x^4 psi = E psi (eq. (2.6) at
eta = t = 0), independent of the package: a Rayleigh–Ritz calculation in a harmonic-oscillator
basis in 40-digit arithmetic (mpmath), with exact matrix elements.

In the basis phi_n(x / s) (scale s), x = s (a + a^+) / sqrt(2) and p^2 = -(a - a^+)^2 / (2 s^2);
H = p^2 + x^4 is built from the exact ladder matrices, split into even and odd blocks (parity),
and diagonalised with ``mpmath.eigsy``. Two basis sizes are compared; the digits they share are
the reference (tests/test_levels.py quotes 16 of them). Run:

    .venv/bin/python benchmarks/quartic_reference.py            # ~1-3 min
"""

from __future__ import annotations

import argparse

import mpmath as mp


def quartic_levels(size: int, scale: mp.mpf, count: int) -> list[mp.mpf]:
    """Lowest ``count`` eigenvalues of p^2 + x^4 in the first ``size`` HO functions."""
    m = size + 4
    a = mp.zeros(m, m)
    for n in range(1, m):
        a[n - 1, n] = mp.sqrt(n)
    x = (a + a.T) * (scale / mp.sqrt(2))
    d = a - a.T
    p2 = (d * d) * (-1 / (2 * scale**2))
    x2 = x * x
    ham = p2 + x2 * x2
    out: list[mp.mpf] = []
    for parity in (0, 1):
        idx = list(range(parity, size, 2))
        block = mp.matrix(len(idx), len(idx))
        for i, p in enumerate(idx):
            for j, q in enumerate(idx):
                block[i, j] = ham[p, q]
        out.extend(mp.eigsy(block, eigvals_only=True))
    return sorted(out)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--digits", type=int, default=40)
    args = parser.parse_args()
    mp.mp.dps = args.digits
    scale = mp.mpf("0.55")
    small = quartic_levels(200, scale, args.count)
    large = quartic_levels(260, scale, args.count)
    for n, (e1, e2) in enumerate(zip(small, large, strict=True)):
        diff = abs(e1 - e2)
        print(f"{n:3d}  {mp.nstr(e2, 25):>30}   |N=200 - N=260| = {mp.nstr(diff, 2)}")


if __name__ == "__main__":
    main()
