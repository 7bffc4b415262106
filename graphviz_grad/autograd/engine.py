"""Backward: one iterative walk over the graph, most recent op first.

No recursion, so a chain of any length backpropagates. Nodes run in reverse
creation order (a heap keyed by each node's sequence number, as PyTorch's
priority): every op that consumed a node's output was created after it, so
when a node comes up all the gradients it will receive have arrived, with no
dependency-counting pass. Each op records the ``grad_fn`` of its inputs when it
runs (``next_fns``), so an in-place op applied later does not re-route earlier
uses of the tensor. Broadcasting is undone here, in one place.

>>> import graphviz_grad as vg
>>> x = vg.tensor(1.0, requires_grad=True)
>>> y = x
>>> for _ in range(10000):
...     y = y * 1.0
>>> y.backward(); x.grad
tensor(1.)
"""
import heapq
import sys
import weakref

import numpy as np

from . import function as _function
from . import grad_mode, hooks
from .._writes import owner_of

_hook_state = hooks.state
_ndarray = np.ndarray


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: the backward of NumPy broadcasting."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape) if grad.shape != shape else grad


def _fit(grad, shape, node, index):
    """A custom Function's gradient for an input of ``shape``: summed down when ``shape`` broadcasts to
    ``grad``'s (as PyTorch's ``sum_to``), else PyTorch's error (never a silent reshape)."""
    extra = grad.ndim - len(shape)
    if extra < 0 or any(n != 1 and n != m for n, m in zip(shape, grad.shape[extra:])):
        raise RuntimeError(
            f"Function {node.grad_fn_name()} returned an invalid gradient at index {index} - got "
            f"{list(grad.shape)} but expected shape compatible with {list(shape)}"
        )
    return unbroadcast(grad, shape)


def _freed_error(node):
    return RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors "
        f"after they have already been freed): {node.grad_fn_name()} was already used by an "
        "earlier backward(), which frees the graph. Recompute the forward pass before each "
        "backward(), or pass retain_graph=True to the first backward() if you really need two."
    )


def run_backward(roots, root_grads, retain_graph=False, capture=None):
    """Propagate ``root_grads`` (arrays) from ``roots`` (tensors) to the leaves.

    With ``capture`` (a dict keyed by tensor id) the gradients of those tensors
    are stored there instead of accumulated into ``.grad`` (``autograd.grad``).
    """
    _pass[0] += 1
    buffers = {}
    heap = []
    for t, g in zip(roots, root_grads):
        fn = t.grad_fn
        if capture is not None and id(t) in capture:
            _capture(capture, t, g)
        if fn is None:
            if capture is None and t.requires_grad:
                _accumulate(t, g, fresh=False)
            continue
        if t._retains_grad and capture is None:
            _accumulate(t, g, fresh=False)
        if fn in buffers:
            buffers[fn] = buffers[fn] + g
        else:
            buffers[fn] = g
            heap.append((-fn.seq, id(fn), fn))
    heapq.heapify(heap)
    hook_state = _hook_state
    recorders = hook_state.recorders  # (recording starts and stops outside backward)
    prev_grad, prev_in_backward = grad_mode.state.enabled, hook_state.in_backward
    grad_mode.state.enabled = False
    hook_state.in_backward = True
    accumulate = capture is None
    heappop, heappush = heapq.heappop, heapq.heappush
    delivering = _delivering[0]  # (a backward run from inside another one's custom Function)
    outer_buffers, _buffers_now[0] = _buffers_now[0], buffers
    try:
        while heap:
            # The most recent node first: every op that consumed its output was made after it,
            # so by now all the gradients it will receive are in its buffer.
            node = heappop(heap)[2]
            grad = buffers.pop(node)
            if node.freed:
                raise _freed_error(node)
            saved = node.saved_versions
            if saved:  # are the inputs backward reads unchanged since forward? (the usual 1 or 2 inline)
                inputs, at = node.inputs, node.saved_inputs
                if (inputs[at[0]]._version[0] != saved[0] or len(saved) > 2
                        or (len(saved) == 2 and inputs[at[1]]._version[0] != saved[1])):
                    node.check_versions()  # raises PyTorch's error
            out_version = node.output_version
            if out_version is not None and out_version[0] != node.saved_output_version:
                node.check_versions()
            if recorders:
                for r in recorders:
                    r.on_backward_start(node, grad)
            grads_in = node.backward(grad)
            aliasing = node.function is not None  # user code may return shared tensors
            delivered = []
            _delivering[0] = node
            inputs = node.inputs
            for t, fn, g, need in zip(inputs, node.next_fns or [t.grad_fn for t in inputs], grads_in,
                                      node.needs_input_grad):
                if not need or g is None:
                    delivered.append(None)
                    continue
                data = t._data
                if g.shape != data.shape:
                    g = _fit(g, data.shape, node, len(delivered)) if aliasing else unbroadcast(g, data.shape)
                if g.dtype is not data.dtype and g.dtype != data.dtype:
                    g = g.astype(data.dtype)
                delivered.append(g)
                if not accumulate and id(t) in capture:
                    _capture(capture, t, g)
                if fn is None:
                    if accumulate:
                        _accumulate(t, g, not aliasing and g is not grad and g.base is None, node)
                    continue
                if t._retains_grad and accumulate:
                    _accumulate(t, g, fresh=False)
                if fn in buffers:
                    buffers[fn] = buffers[fn] + g
                else:
                    buffers[fn] = g
                    heappush(heap, (-fn.seq, id(fn), fn))
            node.grad_out, node.grads_in = grad, delivered  # references only: vg.graph(t) shows them on edges
            if recorders:
                for r in recorders:
                    r.on_backward(node, grad, delivered)
            if not retain_graph:
                node.release()
    finally:
        _delivering[0] = delivering
        _buffers_now[0] = outer_buffers
        grad_mode.state.enabled = prev_grad
        hook_state.in_backward = prev_in_backward


def _accumulate(t, g, fresh, node=None):
    """Add ``g`` into ``t.grad``, keeping the grad tensor's identity (as PyTorch does).

    Where there is no ``.grad`` yet, or only the zeros ``zero_()`` left, 0 + g is g: ``.grad``
    takes g's array (a copy unless ``fresh``) instead of a pass of additions. The graph keeps g
    too, for drawing (``node.grads_in``): :func:`share_with_graph` notes it, so that the next write
    leaves the graph a copy (:func:`unshare`, from ``Tensor._writable``), and ``zero_()`` replaces
    the array rather than writing it when nothing else sees it (:func:`replaceable`).
    """
    grad = t._grad
    if g.__class__ is not _ndarray and isinstance(g, np.generic):
        g, fresh = np.asarray(g), True  # a NumPy scalar: .grad must be an array (zero_() writes to it)
    if grad is not None and (getattr(grad, "_zeroed_at", None) != grad._version[0]
                             or g.shape != grad._data.shape):
        if replaceable(grad):
            grad._data = grad._data + g  # keep the earlier graph's recorded gradient as it was
        else:
            grad._writable()
            grad._data += g
        grad._version[0] += 1
        return
    if grad is None:
        t._grad = grad = _function._Tensor._make(g if fresh else g.copy())
    else:
        zeros = grad._data
        if zeros.base is None and _getrefcount(zeros) <= _PRIVATE_REFS:
            # the zeros zero_() left, held by nothing else (no view, no .detach(), no .numpy() kept):
            # its next call takes them instead of allocating
            grad._spare_zeros = zeros
            grad._data = g if fresh else g.copy()
        else:  # someone holds a view of the zeros: write into them, so that it sees the gradient too
            grad._writable()[...] = g
            fresh = False
        grad._version[0] += 1
    if fresh and node is not None:
        share_with_graph(g, node)


# --- .grad arrays that a graph also keeps, for drawing ------------------------------------------------

_graph_arrays = {}  # id(array) -> (weak reference to it, weak reference to the node, backward pass)
_pass = [0]  # run_backward calls so far
_delivering = [None]  # the node whose gradients run_backward is handing out now
# The gradients gathered so far for the nodes still to run, by node, of the backward running now:
# a node that stands for several tensors (a module's backward hook) reads its siblings' there.
_buffers_now = [None]


_sweep_at = [256]


def pending_grads():
    """The gradients gathered so far, by node, for the nodes the running backward has still to run (None
    outside backward): what a node that stands for several tensors reads its siblings' gradients from."""
    return _buffers_now[0]


def share_with_graph(array, node):
    """``array`` is both a ``.grad``'s data and, in ``node.grads_in``, what a drawing shows flowed."""
    _graph_arrays[id(array)] = (_weakref(array), _weakref(node), _pass[0])
    if len(_graph_arrays) > _sweep_at[0]:  # forget freed arrays (plain weak references: no callbacks)
        for key in [k for k, e in _graph_arrays.items() if e[0]() is None or e[1]() is None]:
            del _graph_arrays[key]
        _sweep_at[0] = max(256, 2 * len(_graph_arrays))


def _graph_entry(array):
    entry = _graph_arrays.get(id(array))
    return entry if entry is not None and entry[0]() is array else None


def unshare(array):
    """``array`` (or memory it views) is about to be written: a graph that draws it gets a copy first."""
    owner = owner_of(array)
    entry = _graph_entry(owner)
    if entry is None:
        return
    del _graph_arrays[id(owner)]
    node = entry[1]()
    grads_in = getattr(node, "grads_in", None) if node is not None else None
    if grads_in:
        copy = owner.copy()
        node.grads_in = [copy if g is owner else g for g in grads_in]


def replaceable(grad):
    """A graph draws ``grad``'s array, and nothing else holds it (no view, no ``.numpy()``, no
    ``.detach()``): the next change may replace the array, unseen, and leave the drawing as it was."""
    data = grad._data
    entry = _graph_arrays.get(id(data))
    if entry is None:
        return False
    node = entry[1]()
    if node is None or entry[0]() is not data:
        return False
    if node is _delivering[0] and entry[2] == _pass[0]:
        return True  # delivered moments ago, by the node delivering now (a * a): no user code saw it
    in_graph = 0
    for g in getattr(node, "grads_in", None) or ():
        if g is data:
            in_graph += 1
    g = None  # (the loop's last value would count as one more holder)
    return in_graph > 0 and _getrefcount(data) - in_graph <= 3  # our slot, the local name, getrefcount's arg


_getrefcount = sys.getrefcount
_weakref = weakref.ref
_PRIVATE_REFS = 3  # the .grad tensor's slot, the local name and getrefcount's own argument


def _capture(capture, t, g):
    prev = capture[id(t)]
    capture[id(t)] = g if prev is None else prev + g
