"""Autograd: ``backward``, ``grad``, ``Function``, ``gradcheck``, ``detect_anomaly``.

>>> import graphviz_grad as vg
>>> x = vg.tensor([1.0, 2.0], requires_grad=True)
>>> (g,) = vg.autograd.grad((x * x).sum(), x)
>>> g
tensor([2., 4.])
"""
import numpy as np

from ..backend import xp_of
from . import function
from .anomaly import detect_anomaly, set_detect_anomaly
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck
from . import engine

__all__ = ["backward", "grad", "Function", "FunctionCtx", "gradcheck", "detect_anomaly",
           "set_detect_anomaly", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "once_differentiable"]


def _tensor_class():
    return function._Tensor  # bound when graphviz_grad.tensor loads (no import per call)


def _root_grads(tensors, grad_tensors):
    Tensor = _tensor_class()
    grads = []
    for i, t in enumerate(tensors):
        if not t.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn: "
                "nothing in its computation has requires_grad=True. Create the inputs you want "
                "gradients for with requires_grad=True (e.g. torch.randn(3, requires_grad=True))."
            )
        g = None if grad_tensors is None else grad_tensors[i]
        if g is None:
            data = t._data
            if data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs, but this tensor has shape "
                    f"{list(t.shape)}. Reduce it to one number first (e.g. loss = y.sum() or y.mean()), "
                    "or pass the upstream gradient: y.backward(gradient=torch.ones_like(y))."
                )
            g = (np if data.__class__ is np.ndarray else xp_of(data)).ones(data.shape, dtype=data.dtype)
        else:
            if not isinstance(g, Tensor):
                g = Tensor._make(_xp(t).asarray(g, dtype=t._data.dtype))
            if g.shape != t.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {list(g.shape)} and output[{i}] "
                    f"has a shape of {list(t.shape)}."
                )
            g = g._data
        grads.append(g)
    return grads


def _xp(t):
    return xp_of(t._data)


def _as_list(x):
    Tensor = _tensor_class()
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the graph's leaves."""
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported by graphviz_grad"
        )
    tensors = _as_list(tensors)
    grads = _root_grads(tensors, _as_list(grad_tensors))
    if inputs is not None:
        inputs = _as_list(inputs)
        capture = {id(t): None for t in inputs}
        engine.run_backward(tensors, grads, bool(retain_graph), capture)
        for t in inputs:
            g = capture[id(t)]
            if g is not None:
                engine._accumulate(t, g, fresh=False)
        return
    engine.run_backward(tensors, grads, bool(retain_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned (not accumulated into ``.grad``)."""
    if create_graph:
        raise NotImplementedError(
            "create_graph=True (higher-order gradients) is not supported by graphviz_grad"
        )
    Tensor = _tensor_class()
    outputs = _as_list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _as_list(inputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    grads = _root_grads(outputs, _as_list(grad_outputs))
    capture = {id(t): None for t in inputs}
    engine.run_backward(outputs, grads, bool(retain_graph), capture)
    result = []
    for i, t in enumerate(inputs):
        g = capture[id(t)]
        if g is None:
            if materialize_grads:
                g = _xp(t).zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}) appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        if g is not None and not isinstance(g, np.ndarray) and np.isscalar(g):
            g = np.asarray(g)
        result.append(None if g is None else Tensor._make(g.copy() if g.base is not None else g))
    return tuple(result)
