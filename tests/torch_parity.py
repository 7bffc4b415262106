"""Helpers of the differential tests: run one snippet with ``torch`` and with ``graphviz_grad`` and compare.

``fn(lib)`` is the snippet; ``check(fn)`` compares what it returns (tensors by
dtype, shape, requires_grad and values; sequences, floats and other values
recursively), ``check_raises_same(fn)`` the type of the exception it raises.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import graphviz_grad as vg  # noqa: E402


def _np(x):
    return np.asarray(x.detach().cpu().numpy())


def assert_same(theirs, ours, rtol=1e-5, atol=1e-6):
    """Recursively: tensors (dtype, shape, values, requires_grad), sequences, floats, None and other values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, vg.Tensor), f"expected a Tensor, got {type(ours).__name__}"
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert ours.requires_grad == theirs.requires_grad
        np.testing.assert_allclose(_np(ours), _np(theirs), rtol=rtol, atol=atol)
    elif isinstance(theirs, (tuple, list)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for t, o in zip(theirs, ours):
            assert_same(t, o, rtol, atol)
    elif theirs is None:
        assert ours is None
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=rtol, abs=atol)
    else:
        assert type(ours) is type(theirs) and ours == theirs


def run_both(fn):
    return fn(torch), fn(vg)


def check(fn, **tolerances):
    theirs, ours = run_both(fn)
    assert_same(theirs, ours, **tolerances)


def raised(fn, lib):
    """The type of the exception ``fn(lib)`` raises, or None."""
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        return type(e)
    return None


def check_raises_same(fn):
    """``fn`` raises with both libraries, graphviz_grad the same type as torch (or a subclass of it)."""
    theirs, ours = raised(fn, torch), raised(fn, vg)
    assert theirs is not None, "torch did not raise"
    assert ours is not None, f"graphviz_grad did not raise (torch raised {theirs.__name__})"
    assert issubclass(ours, theirs), f"graphviz_grad raised {ours.__name__}, torch raised {theirs.__name__}"
