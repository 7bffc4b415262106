"""``vg.autograd.gradcheck`` (central differences, float64) over every differentiable op case.

The cases are the oracle table of test_ops_oracle.py, so a new op line is checked
here too. Cases pinned to special points (ties, kinks: ``vals=``) are left out:
finite differences are not defined there.
"""
import numpy as np
import pytest

import graphviz_grad as vg
from conftest import make_inputs
from graphviz_grad.autograd.gradcheck import GradcheckError
from test_ops_oracle import CASES

NOT_FINITE_DIFFERENCES = {
    "detach": "detach() cuts one path of the gradient on purpose",
    "to_float32": "a float32 round trip is too coarse for eps=1e-6",
    "double_float": "a float32 round trip is too coarse for eps=1e-6",
}
DIFFERENTIABLE = [p for p in CASES if p.values[3].get("grad", True) and "vals" not in p.values[3]
                  and p.id not in NOT_FINITE_DIFFERENCES]


def _inputs(shapes, opts, device="cpu"):
    arrays = make_inputs(shapes, "float64", opts.get("low", -2.0), opts.get("high", 2.0), seed=3)
    return [vg.tensor(a, device=device, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("shapes, fn, torch_fn, opts", DIFFERENTIABLE)
def test_gradcheck_op(shapes, fn, torch_fn, opts, backend):
    inputs = _inputs(shapes, opts, backend)
    assert vg.autograd.gradcheck(lambda *xs: fn(vg, *xs), inputs)


def test_gradcheck_covers_most_cases():
    assert len(DIFFERENTIABLE) > 150


class WrongSquare(vg.autograd.Function):
    """x², with a backward that forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x


class RightSquare(WrongSquare):
    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * x


def _x():
    return vg.tensor([0.5, -1.5, 2.0], dtype=vg.float64, requires_grad=True)


def test_gradcheck_rejects_a_wrong_backward():
    assert vg.autograd.gradcheck(WrongSquare.apply, (_x(),), raise_exception=False) is False


def test_gradcheck_raises_a_runtime_error_naming_the_mismatch():
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0") as e:
        vg.autograd.gradcheck(WrongSquare.apply, (_x(),))
    assert isinstance(e.value, GradcheckError)


def test_gradcheck_accepts_a_right_backward():
    assert vg.autograd.gradcheck(RightSquare.apply, (_x(),)) is True


def test_gradcheck_takes_a_single_tensor_and_leaves_it_unchanged():
    x = _x()
    before = x.detach().numpy().copy()
    assert vg.autograd.gradcheck(lambda t: t.exp().sum(), x)
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad is None  # gradcheck uses autograd.grad, which does not accumulate


def test_gradcheck_with_non_tensor_and_no_grad_inputs():
    x = _x()
    w = vg.tensor([1.0, 2.0, 3.0], dtype=vg.float64)  # no grad: not perturbed
    assert vg.autograd.gradcheck(lambda a, b, p: (a * b) ** p, (x, w, 3))


def test_gradcheck_multiple_outputs():
    x = _x()
    assert vg.autograd.gradcheck(lambda t: (t.tanh(), t * 2), (x,))


def test_gradcheck_non_contiguous_input():
    base = vg.tensor(np.arange(6.0).reshape(2, 3) / 5, dtype=vg.float64)
    x = base.t().detach().requires_grad_()  # a transposed (non-contiguous) leaf
    assert vg.autograd.gradcheck(lambda t: (t @ t.t()).sum(), (x,))


def test_gradcheck_warns_on_float32():
    x = vg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="double precision"):
        vg.autograd.gradcheck(lambda t: t * 2, (x,), raise_exception=False)
