"""The one place that sets the package's threads (dynamics.parallel), and that results do not
depend on the number of threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from dynamics import default_glass, parallel
from dynamics.ensemble import build_ensemble
from dynamics.exact.solver import solve_soft_potential
from dynamics.propagation import linear_response
from dynamics.rates import tau_min
from dynamics.validation import ParameterError


def test_thread_count_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.ENV_VAR, raising=False)
    default = parallel.thread_count()
    assert 1 <= default <= parallel.DEFAULT_MAX_THREADS
    monkeypatch.setenv(parallel.ENV_VAR, "3")
    assert parallel.thread_count() == 3
    with parallel.using_threads(5):
        assert parallel.thread_count() == 5
        with parallel.single_threaded():
            assert parallel.thread_count() == 1
        assert parallel.thread_count() == 5
    assert parallel.thread_count() == 3


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_bad_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(parallel.ENV_VAR, value)
    with pytest.raises(ParameterError, match=parallel.ENV_VAR):
        parallel.thread_count()


@pytest.mark.parametrize("value", [0, -1, True, 2.0])
def test_bad_thread_counts_raise(value: object) -> None:
    with pytest.raises(ParameterError, match="threads"):
        parallel.map_threads(abs, [1, 2], threads=value)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="threads"), parallel.using_threads(value):  # type: ignore[arg-type]
        pass


def test_map_threads_keeps_order_bounds_threads_and_never_nests() -> None:
    names: set[str] = set()
    lock = threading.Lock()

    def inner(i: int) -> int:
        with lock:
            names.add(threading.current_thread().name)
        return i * i

    def outer(i: int) -> list[int]:
        # a nested call runs serially in the calling thread
        return parallel.map_threads(inner, list(range(i, i + 3)), threads=4)

    out = parallel.map_threads(outer, list(range(7)), threads=2)
    assert out == [[j * j for j in range(i, i + 3)] for i in range(7)]
    assert len(names) <= 2  # at most `threads` threads ran work items
    with parallel.single_threaded():
        names.clear()
        assert parallel.map_threads(inner, [1, 2, 3]) == [1, 4, 9]
        assert names == {threading.current_thread().name}


def test_map_threads_raises_the_error_of_a_work_item() -> None:
    def fail(i: int) -> int:
        if i == 3:
            raise RuntimeError("item 3")
        return i

    with pytest.raises(RuntimeError, match="item 3"):
        parallel.map_threads(fail, list(range(6)), threads=2)


def test_spectrum_does_not_depend_on_the_thread_count() -> None:
    # 700 potentials: more than two minimum chunks, so two threads really share the batch
    rng = np.random.default_rng(7)
    eta, t = rng.uniform(-30.0, 10.0, 700), rng.uniform(-6.0, 6.0, 700)
    one = solve_soft_potential(eta, t, workers=1)
    with parallel.using_threads(2):
        two = solve_soft_potential(eta, t)
    with parallel.single_threaded():
        env = solve_soft_potential(eta, t)
    for name in ("levels", "x2", "x3", "x2_01", "tunnel_splitting", "asymmetry", "method"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
        np.testing.assert_array_equal(getattr(one, name), getattr(env, name))


def test_relaxation_engine_does_not_depend_on_the_thread_count() -> None:
    glass = default_glass(spectrum="asymptotic")
    ensemble = build_ensemble(glass, 0.3, 0.33, float(tau_min(0.3, glass.A)) * 1e8)
    times = np.geomspace(1e-9, 1e3, 4000)  # several chunks of output times
    with parallel.single_threaded():
        one = linear_response(ensemble, 0.3, times)
    with parallel.using_threads(2):
        two = linear_response(ensemble, 0.3, times)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
