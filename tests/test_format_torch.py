"""repr()/str() of tensors against PyTorch's, character by character.

Each case builds the same tensor with ``torch`` and with ``graphviz_grad`` and
compares the two reprs after spelling ``torch.`` as ``graphviz_grad.`` (the
package prints its own module name in ``dtype=``).
"""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import graphviz_grad as vg  # noqa: E402

NAN, INF = math.nan, math.inf
RNG = np.random.default_rng(0)
NORMAL = RNG.standard_normal((40, 40)).tolist()
WIDE = (RNG.standard_normal(60) * 10.0 ** RNG.integers(-6, 7, 60)).tolist()
INTS = RNG.integers(-1000, 1000, 2000).tolist()
BOOLS = (RNG.random(50) > 0.5).tolist()


def dt(lib, name):
    return getattr(lib, name)


# name -> fn(lib) returning what to repr
VALUES = {
    # 0-d
    "0d-float": lambda lib: lib.tensor(3.5),
    "0d-int-valued": lambda lib: lib.tensor(-2.0),
    "0d-neg-zero": lambda lib: lib.tensor(-0.0),
    "0d-nan": lambda lib: lib.tensor(NAN),
    "0d-neg-inf": lambda lib: lib.tensor(-INF),
    "0d-tiny": lambda lib: lib.tensor(1e-7),
    "0d-huge": lambda lib: lib.tensor(3e9),
    "0d-int": lambda lib: lib.tensor(-42),
    "0d-bool": lambda lib: lib.tensor(True),
    "0d-f64": lambda lib: lib.tensor(0.1, dtype=dt(lib, "float64")),
    # 1-d floats
    "pad-negatives": lambda lib: lib.tensor([1.0, 2.5, -3.0]),
    "int-valued": lambda lib: lib.tensor([1.0, -20.0, 300.0]),
    "int-valued-sci": lambda lib: lib.tensor([1e6, 1.0]),
    "int-valued-huge": lambda lib: lib.tensor([2e8, 3e8]),
    "ratio-1000": lambda lib: lib.tensor([1000.0, 1.0]),
    "ratio-1001": lambda lib: lib.tensor([1001.5, 1.0]),
    "tiny": lambda lib: lib.tensor([1e-5, 2e-5]),
    "tiny-and-one": lambda lib: lib.tensor([1e-5, 1.0]),
    "edge-1e-4": lambda lib: lib.tensor([1e-4, 0.5]),
    "huge-fixed": lambda lib: lib.tensor([12345.678, 23456.5]),
    "rounds-up": lambda lib: lib.tensor([0.99999, -9.99995]),
    "nan-inf": lambda lib: lib.tensor([1.5, NAN, INF, -INF]),
    "nan-inf-int-valued": lambda lib: lib.tensor([1.0, NAN, -INF, 100.0]),
    "nan-inf-sci": lambda lib: lib.tensor([1e-8, NAN, INF]),
    "only-nonfinite": lambda lib: lib.tensor([NAN, INF, -INF]),
    "zeros": lambda lib: lib.zeros(4),
    "neg-zero": lambda lib: lib.tensor([-0.0, 0.0, 1.0]),
    "neg-zero-frac": lambda lib: lib.tensor([-0.0, 0.5]),
    "f64": lambda lib: lib.tensor([0.1, -2.25], dtype=dt(lib, "float64")),
    "f64-int-valued": lambda lib: lib.tensor([1.0, 2.0], dtype=dt(lib, "float64")),
    "f16": lambda lib: lib.tensor([0.1, -2.25, 1000.0], dtype=dt(lib, "float16")),
    "wide-range": lambda lib: lib.tensor(WIDE),
    "long-row": lambda lib: lib.tensor(NORMAL[0]),
    "long-row-int-valued": lambda lib: lib.arange(30.0) - 5,
    # 1-d ints and bools
    "int": lambda lib: lib.tensor([-1, 20, 3]),
    "int-long": lambda lib: lib.tensor(INTS[:100]),
    "int32": lambda lib: lib.tensor([1, -2], dtype=dt(lib, "int32")),
    "uint8": lambda lib: lib.tensor([1, 255], dtype=dt(lib, "uint8")),
    "bool": lambda lib: lib.tensor([True, False]),
    "bool-all-true": lambda lib: lib.tensor([True, True]),
    "bool-long": lambda lib: lib.tensor(BOOLS),
    # 2-d and 3-d
    "2d": lambda lib: lib.tensor([[1.0, -2.5], [3.25, 4.0]]),
    "2d-int-valued": lambda lib: lib.arange(6.0).reshape(2, 3),
    "2d-int": lambda lib: lib.tensor([[1, 200], [30, 4]]),
    "2d-bool": lambda lib: lib.tensor([[True], [False]]),
    "2d-wrapping": lambda lib: lib.tensor(NORMAL[:3]),
    "2d-sci": lambda lib: lib.tensor([[1e-6, 1.0], [2.0, 3e5]]),
    "3d": lambda lib: lib.tensor(np.array(NORMAL[:2]).reshape(2, 5, 8).tolist()),
    "4d": lambda lib: lib.arange(16.0).reshape(2, 2, 2, 2),
    "column": lambda lib: lib.tensor([[0.5], [-1.0], [NAN]]),
    # summarized (more than 1000 elements)
    "sum-1d-float": lambda lib: lib.arange(2000.0) / 7,
    "sum-1d-int": lambda lib: lib.tensor(INTS),
    "sum-1d-bool": lambda lib: lib.tensor(BOOLS * 30),
    "sum-2d": lambda lib: lib.tensor(NORMAL),
    "sum-2d-tall": lambda lib: lib.tensor(NORMAL * 2).reshape(1600, 2),
    "sum-2d-short-rows": lambda lib: lib.tensor(NORMAL).reshape(2, 800),
    "sum-3d": lambda lib: lib.tensor(NORMAL).reshape(10, 10, 16),
    "sum-outlier-hidden": lambda lib: lib.cat([lib.ones(3), lib.full((1000,), 1e9), lib.ones(3) / 3]),
    "exactly-1000": lambda lib: lib.arange(1000),
    # empty
    "empty-1d": lambda lib: lib.tensor([]),
    "empty-2d": lambda lib: lib.zeros(0, 3),
    "empty-int": lambda lib: lib.zeros(0, dtype=dt(lib, "int64")),
    "empty-bool-2d": lambda lib: lib.zeros(2, 0, dtype=dt(lib, "bool")),
}


def _grad_leaf(lib):
    return lib.tensor([1.0, -2.5, 3.0], requires_grad=True)


AUTOGRAD = {
    "leaf": _grad_leaf,
    "leaf-2d": lambda lib: lib.tensor([[1.0, -2.0], [3.0, 4.5]], requires_grad=True),
    "leaf-f64": lambda lib: lib.tensor([1.0, -2.0], dtype=dt(lib, "float64"), requires_grad=True),
    "leaf-long": lambda lib: lib.tensor(NORMAL[1][:12], requires_grad=True),
    "leaf-empty": lambda lib: lib.zeros(0, 2, requires_grad=True),
    "mul": lambda lib: _grad_leaf(lib) * 2,
    "sum": lambda lib: (_grad_leaf(lib) * 3).sum(),
    "pow-2d": lambda lib: lib.tensor([[1.0, -2.0], [3.0, 4.5]], requires_grad=True) ** 2,
    "long-row-grad-fn": lambda lib: lib.tensor(NORMAL[2][:8], requires_grad=True) * 1,
    "exp": lambda lib: lib.tensor([0.0, 10.0, -10.0], requires_grad=True).exp(),
}


def _grad_of(lib):
    x = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (x ** 3).sum().backward()
    return x.grad


def _param(lib):
    return lib.nn.Parameter(lib.tensor([[0.5, -1.0], [2.0, 3.25]]))


OTHERS = {
    "grad": _grad_of,
    "parameter": _param,
    "parameter-int-valued": lambda lib: lib.nn.Parameter(lib.ones(2, 3)),
    "parameter-no-grad": lambda lib: lib.nn.Parameter(lib.tensor([1.0, -1.0]), requires_grad=False),
    "result-of-parameter": lambda lib: _param(lib) * 2,
    "in-list": lambda lib: [lib.tensor([1.0, -2.0]), lib.tensor([True, False])],
    "str": lambda lib: str(lib.tensor([[1e-5, 1.0], [-3.0, NAN]])),
}

CASES = {**VALUES, **AUTOGRAD, **OTHERS}


def ours_vs_theirs(make):
    theirs = repr(make(torch)).replace("torch.", "graphviz_grad.")
    ours = repr(make(vg))
    return theirs, ours


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_matches_torch(name):
    theirs, ours = ours_vs_theirs(CASES[name])
    assert ours == theirs, f"\n--- torch ---\n{theirs}\n--- graphviz_grad ---\n{ours}"


def test_examples_from_the_issue():
    assert repr(vg.tensor([1.0, 2.5, -3.0])) == "tensor([ 1.0000,  2.5000, -3.0000])"
    assert repr(vg.tensor([True, False])) == "tensor([ True, False])"
    assert repr(vg.tensor([1e6, 1.0])) == "tensor([1.0000e+06, 1.0000e+00])"


def test_str_and_format_are_repr():
    t = vg.tensor([[1.0, -2.0]])
    assert str(t) == repr(t) == f"{t}"
