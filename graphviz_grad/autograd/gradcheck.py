"""Finite-difference checks of analytic gradients (float64), like ``torch.autograd.gradcheck``.

>>> import graphviz_grad as vg
>>> x = vg.randn(3, dtype=vg.float64, requires_grad=True)
>>> vg.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
True
"""
import warnings

import numpy as np


class GradcheckError(RuntimeError):
    """The analytic and numerical Jacobians differ (a RuntimeError, as PyTorch's)."""


def _outputs(fn, inputs):
    from ..tensor import Tensor

    out = fn(*inputs)
    return [out] if isinstance(out, Tensor) else [o for o in out if isinstance(o, Tensor)]


def _host(arr):
    from ..backend import to_numpy

    return np.array(to_numpy(arr), dtype=np.float64).ravel()  # a copy: outputs may be views of inputs


def _analytic_jacobian(func, inputs, diff_inputs, k, out):
    """Column j: the gradients of output element j (one backward pass per output element)."""
    from ..backend import xp_of
    from ..tensor import Tensor
    from . import grad as autograd_grad

    n_out = out._data.size
    jac = [np.zeros((t._data.size, n_out)) for t in diff_inputs]
    xp = xp_of(out._data)
    for j in range(n_out):
        seed = xp.zeros(n_out, dtype=out._data.dtype)
        seed[j] = 1
        root = _outputs(func, inputs)[k]
        grads = autograd_grad(root, diff_inputs, grad_outputs=Tensor._make(seed.reshape(out._data.shape)),
                              allow_unused=True)
        for i, g in enumerate(grads):
            if g is not None:
                jac[i][:, j] = _host(g._data)
    return jac


def _numerical_jacobian(func, inputs, t, k, eps):
    """Row e: central differences of output ``k`` when element e of ``t`` moves by ±eps."""
    from .grad_mode import no_grad

    arr = t._data
    rows = []
    for e in range(arr.size):
        idx = np.unravel_index(e, arr.shape)  # works for non-contiguous arrays too
        orig = arr[idx].item()
        with no_grad():
            arr[idx] = orig + eps
            plus = _host(_outputs(func, inputs)[k]._data)
            arr[idx] = orig - eps
            minus = _host(_outputs(func, inputs)[k]._data)
            arr[idx] = orig
        rows.append((plus - minus) / (2 * eps))
    return np.array(rows).reshape(arr.size, -1)


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """Compare ``func``'s autograd Jacobian with central differences, element by element.

    Returns True, or raises :class:`GradcheckError` (``raise_exception=False``: returns False).
    """
    from ..tensor import Tensor

    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for n, t in enumerate(diff_inputs):
        if t._data.dtype != np.float64:
            warnings.warn(
                f"Input #{n} requires gradient and is not a double precision floating point ({t.dtype}): "
                "gradcheck is only reliable in float64 (create inputs with dtype=torch.float64)",
                stacklevel=2,
            )
    for k, out in enumerate(_outputs(func, inputs)):
        if not out.requires_grad:
            continue
        analytic = _analytic_jacobian(func, inputs, diff_inputs, k, out)
        for i, t in enumerate(diff_inputs):
            numeric = _numerical_jacobian(func, inputs, t, k, eps)
            if np.allclose(analytic[i], numeric, rtol=rtol, atol=atol):
                continue
            if not raise_exception:
                return False
            worst = np.unravel_index(np.abs(analytic[i] - numeric).argmax(), numeric.shape)
            raise GradcheckError(
                f"Jacobian mismatch for output {k} with respect to input {i},\n"
                f"numerical:{numeric}\nanalytical:{analytic[i]}\n"
                f"(largest difference at element {worst}: numerical {numeric[worst]:.6g}, "
                f"analytical {analytic[i][worst]:.6g})"
            )
    return True


def gradgradcheck(*args, **kwargs):
    raise NotImplementedError("second-order gradients are not supported by graphviz_grad")
