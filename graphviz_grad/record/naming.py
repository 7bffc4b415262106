"""Caller variable names: label tensors by the names the user's code bound them to.

A tensor's label is, in order: ``name=`` (or the parameter name an ``nn.Module``
gave it, or the CLI's variable), the first public variable bound to it in the
user's frames, ``<owner>.grad`` for a gradient, the value of a constant, else
its node id. This module finds the variable names: it looks through the frames
of the code that called into graphviz_grad (not graphviz_grad's own frames,
except the seed tutorial's lesson programs and doctests), locals first, then globals.

>>> import graphviz_grad as vg
>>> w1 = vg.tensor([1.0, 2.0], requires_grad=True)
>>> loss = (w1 * w1).sum()
>>> G = vg.graph(loss)
>>> sorted(d["name"] for _, d in G.nodes(data=True) if d["kind"] == "tensor")
['loss', 't1', 'w1']
"""
import sys

_internal_modules = {}
_internal_codes = {}  # id(code) -> (code, internal?): a code object hashes its whole contents, an id does not
_internal_ids = set()  # the ids in _internal_codes of internal code (held there, so an id is not reused)
_user_ids = set()  # and of the others


def _is_internal(frame):
    code = frame.f_code
    known = _internal_codes.get(id(code))
    if known is None or known[0] is not code:
        if len(_internal_codes) > 50_000:
            _internal_codes.clear()  # code made on the fly (exec in a loop) must not pile up
            _internal_ids.clear()
            _user_ids.clear()
        known = _internal_codes[id(code)] = (code, _is_internal_module(frame))
        (_internal_ids if known[1] else _user_ids).add(id(code))
        (_user_ids if known[1] else _internal_ids).discard(id(code))  # (the id of freed code, reused)
    return known[1]


def _is_internal_module(frame):
    if frame.f_code.co_filename[:1] == "<":
        return False  # typed or generated code: a doctest, the REPL
    module = frame.f_globals.get("__name__", "")
    known = _internal_modules.get(module)
    if known is None:
        package = module.partition(".")[0]
        known = _internal_modules[module] = (package == "graphviz_grad"
                                             and not module.startswith("graphviz_grad.lessons.tutorial_"))
    return known


def user_frame(depth=0):
    """The innermost frame outside graphviz_grad, starting ``depth`` frames above the caller."""
    return first_user_frame(sys._getframe(depth + 1))


def first_user_frame(frame, stop=None):
    """``frame`` or the first of its callers outside graphviz_grad (None if none).

    ``stop``: a code object; a frame running it, met first, is returned instead (the caller
    knows what lies above it).
    """
    internal = _internal_ids
    while frame is not None:
        code = frame.f_code
        if id(code) in internal:  # (the hot path of recording: one set lookup per frame)
            if code is stop:
                return frame
            frame = frame.f_back
        elif id(code) in _user_ids or not _is_internal(frame):
            return frame
    return None


def user_frames(depth=0, limit=8):
    """Up to ``limit`` frames outside graphviz_grad, innermost first."""
    frames, frame = [], sys._getframe(depth + 1)
    while frame is not None and len(frames) < limit:
        if not _is_internal(frame):
            frames.append(frame)
        frame = frame.f_back
    return frames


def name_variables(frames, lookup, tensor_type=None, globals_too=True, seen=None):
    """Give the record ``lookup(tensor)`` of each tensor bound in ``frames`` its variable name.

    The outermost code's name wins: a name bound in a caller replaces one bound
    inside the function it called (``y_pred = model(x)`` over ``y`` inside
    ``forward``); within one frame the first public name found wins (locals
    before globals). A namespace shared by several frames
    (a module's globals) is read once, also across calls that pass the same ``seen`` set.
    ``globals_too=False`` reads only the frames' locals (the globals of code run at
    module level are its locals).
    """
    if tensor_type is None:
        tensor_type = _tensor_type()
    if seen is None:
        seen = set()
    for frame in frames:
        depth = _depth(frame)
        for scope in (frame.f_locals, frame.f_globals) if globals_too else (frame.f_locals,):
            if id(scope) in seen:
                continue
            seen.add(id(scope))
            for key, value in list(scope.items()):
                if isinstance(value, tensor_type) and key[:1] != "_" and key.isidentifier():
                    rec = lookup(value)
                    if rec is None:
                        continue
                    ident = rec.ident
                    if ident.var is None or (ident.depth is not None and depth < ident.depth):
                        ident.var, ident.depth = key, depth  # the outermost code's name wins (y_pred, not y)
        scope = value = None  # (no reference of ours to the snapshot: see _forget_snapshot)
        _forget_snapshot(frame)


def _depth(frame):
    """How many frames lie under ``frame`` (0 at the bottom of the stack): smaller is further out."""
    depth = 0
    frame = frame.f_back
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


_tensor_class = []


def _tensor_type():
    """graphviz_grad.Tensor, imported once (an import statement per call costs microseconds)."""
    if not _tensor_class:
        from ..tensor import Tensor

        _tensor_class.append(Tensor)
    return _tensor_class[0]


def _forget_snapshot(frame):
    """Empty the dict that reading ``f_locals`` of a running function left on its frame.

    Before Python 3.13 that dict is a copy of the function's variables, kept with the
    frame and refreshed only when read again, so it would keep a tensor (and its
    graph) alive after the code deleted or rebound the variable. Reading it again
    refills it. Left alone where it is more than a copy: in a class body, ``exec``
    with a locals dict or module-level code (the namespace itself), when the code
    kept what ``locals()`` returned (the same dict), and while a tracer (debugger,
    coverage) runs, which writes that dict back into the variables.
    """
    if (sys.version_info < (3, 13) and frame.f_code.co_flags & _CO_OPTIMIZED and sys.gettrace() is None
            and frame.f_trace is None):
        snapshot = frame.f_locals
        if sys.getrefcount(snapshot) <= 3:  # the frame's, this name's and getrefcount's: no one else's
            snapshot.clear()


_CO_OPTIMIZED = 0x1  # inspect.CO_OPTIMIZED: a function's frame, whose f_locals is a snapshot
