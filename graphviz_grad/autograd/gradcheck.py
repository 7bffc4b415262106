"""Finite-difference checks of analytic gradients (float64), like ``torch.autograd.gradcheck``.

>>> import graphviz_grad as vg
>>> x = vg.randn(3, dtype=vg.float64, requires_grad=True)
>>> vg.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
True
"""
import numpy as np


class GradcheckError(RuntimeError):
    pass


def _outputs(fn, inputs):
    from ..tensor import Tensor

    out = fn(*inputs)
    return [out] if isinstance(out, Tensor) else [o for o in out if isinstance(o, Tensor)]


def gradcheck(func, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """Compare ``func``'s autograd Jacobian with central differences, element by element."""
    from ..tensor import Tensor
    from . import grad as autograd_grad
    from .grad_mode import no_grad

    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in diff_inputs:
        if t._data.dtype != np.float64:
            import warnings

            warnings.warn(
                f"Input of dtype {t._data.dtype} requires grad: gradcheck is only reliable in float64 "
                "(create inputs with dtype=torch.float64)", stacklevel=2
            )
    outputs = _outputs(func, inputs)
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        n_out = out._data.size
        analytic = [np.zeros((t._data.size, n_out)) for t in diff_inputs]
        for j in range(n_out):
            outs = _outputs(func, inputs)
            seed = np.zeros(n_out, dtype=out._data.dtype)
            seed[j] = 1
            grads = autograd_grad(outs[k], diff_inputs, grad_outputs=Tensor._make(seed.reshape(out._data.shape)),
                                  allow_unused=True)
            for i, g in enumerate(grads):
                if g is not None:
                    analytic[i][:, j] = np.asarray(g._data, dtype=np.float64).ravel()
        for i, t in enumerate(diff_inputs):
            flat = t._data.reshape(-1)
            numeric = np.zeros((t._data.size, n_out))
            for e in range(t._data.size):
                orig = flat[e].item()
                with no_grad():
                    flat[e] = orig + eps
                    plus = np.asarray(_outputs(func, inputs)[k]._data, dtype=np.float64).ravel()
                    flat[e] = orig - eps
                    minus = np.asarray(_outputs(func, inputs)[k]._data, dtype=np.float64).ravel()
                    flat[e] = orig
                numeric[e] = (plus - minus) / (2 * eps)
            if not np.allclose(analytic[i], numeric, rtol=rtol, atol=atol):
                worst = np.unravel_index(np.abs(analytic[i] - numeric).argmax(), numeric.shape)
                msg = (
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"numerical:{numeric}\nanalytical:{analytic[i]}\n"
                    f"(largest difference at element {worst}: numerical {numeric[worst]:.6g}, "
                    f"analytical {analytic[i][worst]:.6g})"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(*args, **kwargs):
    raise NotImplementedError("second-order gradients are not supported by graphviz_grad")
