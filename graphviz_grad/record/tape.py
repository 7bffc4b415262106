"""``with vg.record() as tape:``: every op, in-place update and backward step, in order.

The tape is a recorder (see :mod:`graphviz_grad.autograd.hooks`): while it is
active the engine calls it for every op, including ops under ``no_grad``, every
in-place change and every step of ``backward()``. It keeps records (summaries,
never arrays) and finds tensors and autograd nodes through weak references
only, so it keeps nothing alive that the program freed. Recording is per thread
and tapes nest (an inner and an outer tape both record).

Phases: ``backward`` inside the engine; else the explicit phase
(``optimizer.step()`` runs in ``"update"``); else ``"update"`` for an in-place
change outside backward under ``no_grad`` or to a tensor that existed before it
was first used in the tape (the weights of a manual training loop), for the op
that computed its operand just before it (``lr * grad`` in ``w -= lr * grad``),
and for ops under ``no_grad`` that read a ``.grad``; everything else is
``forward``.

``optimizer.step()`` may log its update instead of running it op by op
(:mod:`graphviz_grad.record.update_log`): the ops of that update are made when
the tape is first read, the same as if recorded as they ran.

``max_events=N`` keeps only the newest N events (a ring), so one tape can stay
open around a long training loop without growing.

``stats``: when the min/max/mean/norm of a large tensor (more than ``small``
elements) are computed. ``"lazy"`` (the default): when the summary is first
read (``tape.graph()``, ``tape.events``, a drawing), for every array still
alive and unchanged then; an intermediate freed earlier, or a tensor written in
place since (a weight after its update), through any tensor sharing its memory
(:mod:`graphviz_grad._writes`), keeps ``numel`` only. Recording then
costs no pass over the data, so a training loop can run with a tape open.
``"eager"``: when each array is recorded, so every version of every tensor
keeps its statistics, at four passes over each array recorded (about twice the
time of a small training step). Small tensors keep their values in both modes.

>>> import graphviz_grad as vg
>>> w, x, b = vg.tensor(2.0, requires_grad=True), vg.tensor(1.0), vg.tensor(3.0, requires_grad=True)
>>> with vg.record() as tape:
...     y = w * x + b
...     y.backward()
>>> [(e["phase"], e["op"]) for e in tape.events]
[('forward', 'mul'), ('forward', 'add'), ('backward', 'add'), ('backward', 'mul')]
>>> tape.events[-1]["rules"][0]
'w.grad += t2.grad · x = 1.0 · 1.0'
"""
import collections
import gc
import sys
import weakref

from ..autograd import grad_mode, hooks
from .graph import _Numbering, build
from .naming import first_user_frame, name_variables, user_frames
from .records import (IN_PLACE, BackwardStep, _attrs, _ndarray, Ident, OpRecord, UpdateGroup, _is_parameter, capture_op, capture_tensor,
                      chain_rule, inplace_op, placeholder_tensor)
from .summary import (as_dict, capture, capture_lazy, constant_summary, constant_thumbnail, is_all_zero, known_summary, of_tensor,
                      plus_zero, remember, thumbnail)
from .update_log import UpdateLog

_hook_state = hooks.state
_grad_state = grad_mode.state
_ref = weakref.ref
_getframe = sys._getframe
_new = object.__new__


class _WeakIdMap:
    """Values by object identity, holding the objects weakly (Tensor ``==`` is elementwise, so a
    ``WeakKeyDictionary`` cannot hold tensors).

    Plain weak references, without callbacks (a callback is a Python-level ``KeyedRef``, several
    times dearer to make): an entry whose object was freed is never returned, and such entries
    are swept out whenever the map has doubled since the last sweep, so it stays proportional to
    what is alive.
    """

    __slots__ = ("items", "limit")

    def __init__(self):
        self.items = {}  # id(obj) -> (weak reference, value)
        self.limit = 256

    def get(self, obj):
        entry = self.items.get(id(obj))
        return entry[1] if entry is not None and entry[0]() is obj else None

    def alive(self):
        """The objects still alive."""
        return [obj for obj in (entry[0]() for entry in list(self.items.values())) if obj is not None]

    def pop(self, obj):
        """The value for ``obj`` (None if none), forgotten."""
        entry = self.items.get(id(obj))
        if entry is None or entry[0]() is not obj:
            return None
        del self.items[id(obj)]
        return entry[1]

    def set(self, obj, value):
        items = self.items
        items[id(obj)] = (_ref(obj), value)
        if len(items) > self.limit:
            self.sweep()

    def sweep(self):
        self.items = items = {k: e for k, e in self.items.items() if e[0]() is not None}
        self.limit = max(256, 2 * len(items))


class _RefMap(_WeakIdMap):
    """A :class:`_WeakIdMap` whose values (records) keep the weak reference to their object themselves
    (``rec.ref``): one object fewer per entry (tensor -> TensorRecord, autograd node -> OpRecord)."""

    __slots__ = ()

    def get(self, obj):
        rec = self.items.get(id(obj))
        return rec if rec is not None and rec.ref() is obj else None

    def alive(self):
        return [obj for obj in (rec.ref() for rec in list(self.items.values())) if obj is not None]

    def pop(self, obj):
        rec = self.get(obj)
        if rec is not None:
            del self.items[id(obj)]
        return rec

    def set(self, obj, rec):
        rec.ref = _ref(obj)
        items = self.items
        items[id(obj)] = rec
        if len(items) > self.limit:
            self.sweep()

    def sweep(self):
        self.items = items = {k: rec for k, rec in self.items.items() if rec.ref() is not None}
        self.limit = max(256, 2 * len(items))


# While a tape records, the collector's first generation waits for this many new objects, not 700: a
# recorded step makes thousands of small records that live until the step ends, and collecting them
# every 700 promotes them to the older generations, whose sweeps then cost about 0.15x of a GPT step
# (benchmarks/bench_record.py --program gpt). Reference counting still frees everything at once; the
# collector still runs, less often, so cyclic garbage stays bounded.
RECORDING_GC_THRESHOLD = 50_000


_deferred = [None]  # (the collector's setting now, the one to give back) after a recording, until it runs


def _give_back(phase="stop", info=None):
    """The collector's setting from before the last recording, back (a ``gc.callbacks`` entry: after a run)."""
    if phase == "stop" and _deferred[0] is not None:
        now, before = _deferred[0]
        _deferred[0] = None
        if gc.get_threshold() == now:  # (unless someone set their own meanwhile)
            gc.set_threshold(*before)


def _gc_after_recording(tape, before):
    """Give the collector its setting ``before`` back when ``tape`` stops recording.

    Put back at once, it would sweep at the next allocation everything the block made, the tape's records
    included, all still alive. So the first generation counts its usual number of new objects from here,
    on top of the young objects now pending; ``before`` itself is back after the collector's next run, or
    when the tape is freed, or when a tape starts recording, whichever comes first.
    """
    pending = gc.get_count()[0]
    if pending <= before[0]:
        gc.set_threshold(*before)
        return
    now = (before[0] + pending, *before[1:])
    gc.set_threshold(*now)
    _deferred[0] = (now, before)
    if _give_back not in gc.callbacks:
        gc.callbacks.append(_give_back)
    weakref.finalize(tape, _give_back)


class Tape:
    """The recorder behind ``with vg.record(small=16, max_events=None) as tape:``.

    ``tape.events`` is the ordered list of events (dicts); ``tape.graph()`` the
    graph model of everything recorded. ``small``: tensors with at most this many
    elements keep their values. ``max_events``: keep only the newest events.
    ``stats``: ``"lazy"`` or ``"eager"``, when a large tensor's statistics are computed (see the module doc).
    """

    def __init__(self, small=16, max_events=None, stats="lazy"):
        if max_events is not None and (not isinstance(max_events, int) or max_events < 1):
            raise ValueError(f"max_events must be a positive integer or None, got {max_events!r}")
        if stats not in ("lazy", "eager"):
            raise ValueError(f"stats must be 'lazy' or 'eager', got {stats!r}")
        self.small = small
        self.max_events = max_events
        self.stats = stats
        self._lazy = stats == "lazy"
        self._capture = capture_lazy if self._lazy else capture  # (array, small)
        self._events = [] if max_events is None else collections.deque(maxlen=max_events)
        self._appended = 0
        self._live = _RefMap()  # tensor -> its TensorRecord at the newest version seen
        self._ops = _RefMap()  # autograd node -> OpRecord
        self._outputs = _WeakIdMap()  # autograd node made before recording -> record of its output
        self._functions = []  # custom Functions running: (events appended before, input records)
        self._token = object()  # who made a summary in summary.of_tensor's cache (never this tape: no cycle)
        self._delivered = _WeakIdMap()  # gradient array passed to a non-leaf in backward -> its summary
        self._before = None  # the records before_inplace made, for on_inplace_op
        self._external = collections.deque(maxlen=256)  # the newest tensors first seen as inputs (_inputs_unnamed)
        self._phase = None
        self._frame = None
        self._active = False
        self._update = None  # the UpdateGroup of the parameter optimizer.step() is updating
        self._update_dtype = None
        self._update_log = None  # its UpdateLog, when the optimizer logs its calls (update_math.LoggedMath)
        self._updates = 0
        from ..nn.module import Module, _call_state

        self._calls = _call_state  # which module call is running (its class, a number per call)
        self._call_code = Module.__call__.__code__
        self._call_user = (None, None)  # (a module call's number, the user's frame above that call)

    def __repr__(self):
        return f"<Tape: {len(self)} events{' (recording)' if self._active else ''}>"

    def __len__(self):
        return sum(len(e.ops()) if e.__class__ is UpdateLog else 1 for e in self._events)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """In Jupyter, a tape left as a cell's result shows as its picture (:mod:`graphviz_grad.viz.jupyter`)."""
        from ..viz.jupyter import mimebundle

        return mimebundle(self, repr(self))

    def __enter__(self):
        if self._active:
            raise RuntimeError("this tape is already recording; nest a new `with vg.record()` instead")
        self._active = True
        self._token = object()  # a new one per recording span: unrecorded code may have run since the last
        _give_back()  # (a deferral left by an earlier tape ends here: read the user's own setting)
        self._gc_threshold = gc.get_threshold()
        self._gc_set = None  # what this tape set, so that only that is undone
        if 0 < self._gc_threshold[0] < RECORDING_GC_THRESHOLD:
            self._gc_set = (RECORDING_GC_THRESHOLD, *self._gc_threshold[1:])
            gc.set_threshold(*self._gc_set)
        # First in line: a recorder that raises (detect_anomaly) must not keep the op from the tape.
        _hook_state.recorders = (self,) + _hook_state.recorders
        return self

    def __exit__(self, exc_type=None, exc=None, tb=None):
        _hook_state.recorders = tuple(r for r in _hook_state.recorders if r is not self)
        self._active = False
        if self._gc_set is not None and gc.get_threshold() == self._gc_set:  # (unless the block set its own)
            _gc_after_recording(self, self._gc_threshold)
        self._flag_anomaly(getattr(exc, "node", None))
        # The code around the `with` and the code that ran the ops: what the block made is bound there
        # (or in a global). The callers' frames hold only what existed before the block: read them
        # only for inputs still unnamed.
        frames = user_frames(1)
        first = frames[:1]
        if self._frame is not None and all(f is not self._frame for f in first):
            first.append(self._frame)
        seen = set()  # (each namespace read once: a module's globals are shared by its frames)
        name_variables(first, self._live.get, seen=seen)
        if self._inputs_unnamed():
            name_variables([f for f in frames[1:] if all(f is not g for g in first)], self._live.get, seen=seen)
        self._frame = None  # the frame may hold this tape: drop the cycle
        self._call_user = (None, None)
        return False

    # --- what was recorded ---------------------------------------------------------------
    def graph(self):
        """The graph model (:class:`~graphviz_grad.record.Graph`) of everything recorded."""
        ops, steps = self._collect()
        return build(ops, steps)

    @property
    def events(self):
        """The events in execution order, as dicts (see the schema document for their keys)."""
        ops, _ = self._collect()
        ids = _Numbering(ops, ())
        out, backward_step = [], 0
        forward_step = {id(op): k for k, op in enumerate(ops)}
        for event in self._events:
            if isinstance(event, OpRecord):
                out.append(_op_event(event, ids, forward_step[id(event)]))
            elif event.__class__ is UpdateLog:
                out.extend(_op_event(op, ids, forward_step[id(op)]) for op in event.ops())
            else:
                out.append(_backward_event(event, ids, backward_step))
                backward_step += 1
        return out

    def _flag_anomaly(self, node):
        """Mark the op of an autograd node that ``detect_anomaly()`` flagged (it flags after we record)."""
        if node is not None and getattr(node, "anomaly", False):
            op = self._ops.get(node)
            if op is not None:
                op.anomaly = True

    def _collect(self):
        if self._active:
            self._name_from(user_frames(2))
        for node in self._ops.alive():
            self._flag_anomaly(node)
        events = list(self._events)
        ops = []
        for e in events:
            if isinstance(e, OpRecord):
                ops.append(e)
            elif e.__class__ is UpdateLog:
                ops.extend(e.ops())
        recorded = {id(op) for op in ops}
        earlier = {id(e.op): e.op for e in events if isinstance(e, BackwardStep) and id(e.op) not in recorded}
        steps = [e for e in events if isinstance(e, BackwardStep)]
        return sorted(earlier.values(), key=lambda op: op.seq) + ops, steps

    # --- the recorder protocol (called by the engine) ---------------------------------------
    def on_op(self, node, inputs, result):
        state = _hook_state
        if state.in_backward:
            return  # the inside of a custom Function's backward: the step itself is the event
        # The hot path of recording: the known record of each input, a record of the output.
        live = self._live.items
        records = []
        for t in inputs:
            rec = live.get(id(t))
            if rec is not None:
                if rec.ref() is t and rec.version == t._version[0] and rec.array_id == id(t._data):
                    if rec.name is not t._name:
                        rec.name = t._name  # named after it was first seen (parameters get theirs on the first call)
                    records.append(rec)
                    continue
            records.append(self._tensor(t))
        self._add_op(node, records, result, _getframe(2))

    def on_function_start(self, node, tensors):
        if not _hook_state.in_backward:
            self._functions.append((self._appended, [self._tensor(t) for t in tensors]))

    def on_function_end(self, node, tensors, results):
        if _hook_state.in_backward or not self._functions:
            return
        mark, inputs = self._functions.pop()
        for _ in range(min(self._appended - mark, len(self._events))):
            self._events.pop()  # the ops inside the Function's forward: drawn as the Function alone
        self._appended = mark
        result = next((r for r in results if hasattr(r, "_version")), None)
        if result is not None:
            self._add_op(node, inputs, result, _getframe(2))

    def on_backward_start(self, node, grad):
        if self._lazy:
            return  # (the summaries of .grad arrays wait for a reader: no pass to spare)
        small = self.small
        for t in node.inputs:
            g = t._grad
            if g is None or t.grad_fn is not None:
                continue
            arr = g._data
            if arr.size > small:
                known = self._live.get(g)
                if known is not None and known.version == g._version[0] and known.array_id == id(arr):
                    continue
                # zeroed before this tape began: the sum about to be made needs no new pass
                data = known_summary(g, self._token)
                if data is None and not arr.any():
                    data = constant_summary(tuple(arr.shape), 0, small)
                if data is not None and is_all_zero(data):
                    self._live.set(g, capture_tensor(g, small, known.ident if known else Ident(), data=data))

    def on_backward(self, node, grad, delivered):
        small = self.small
        op = self._ops.items.get(id(node))
        if op is None or op.ref() is not node:
            op = self._adopt(node, grad)
        inputs = node.inputs
        if self._lazy:  # a summary is a weak reference and a mark: cheaper made again than looked up
            grad_out = capture_lazy(grad, small)
            grads = [None if g is None else grad_out if g is grad else capture_lazy(g, small) for g in delivered]
        else:
            grad_out, grads = self._eager_grads(inputs, grad, delivered)
        repeated = len(inputs) > 1 and len({id(u) for u in inputs}) < len(inputs)  # a * a
        for i, t in enumerate(inputs):
            g = delivered[i]
            if g is None or t._grad is None or (t.grad_fn is not None and not t._retains_grad):
                continue
            if not repeated:
                self._note_grad(t._grad, g, grads[i], op.inputs[i])
                continue
            same = [j for j, u in enumerate(inputs) if u is t and delivered[j] is not None]
            if len(same) == 1:
                self._note_grad(t._grad, g, grads[i], op.inputs[i])
            elif i == same[-1]:  # one tensor in several argument slots (a * a): note its .grad once, at the end
                self._first_delivery(t._grad, [delivered[j] for j in same], grads, same[0])
                self._note_grad(t._grad, None, None, op.inputs[i])
        self._append(BackwardStep(op, grad_out, grads), "backward", _getframe(2))

    def _eager_grads(self, inputs, grad, delivered):
        """The summaries of the gradient ``grad`` received and of those ``delivered``, statistics made now:
        once per array (what one op delivered to a non-leaf, the op that made it receives)."""
        small = self.small
        passed = self._delivered
        grad_out = passed.pop(grad)  # what a consumer delivered to this node, summarised then
        if grad_out is None:
            grad_out = capture(grad, small)
        grads = []
        for t, g in zip(inputs, delivered):
            if g is None:
                grads.append(None)
                continue
            summary = grad_out if g is grad else capture(g, small)  # passed on unchanged (add, sub)
            grads.append(summary)
            if t.grad_fn is not None:
                try:
                    passed.set(g, summary)
                except TypeError:
                    pass
        return grad_out, grads

    def _first_delivery(self, grad_tensor, arrays, grads, first):
        """The engine made the first delivery the ``.grad`` array and added the others into it: undo that."""
        if grad_tensor._data is arrays[0] and grad_tensor._version[0] == len(arrays) - 1:
            rest = arrays[1]
            for g in arrays[2:]:
                rest = rest + g
            grads[first] = capture(grad_tensor._data - rest, self.small)

    takes_inplace_ops = True  # before_inplace/on_inplace_op: the engine may write in place without an alias

    def before_inplace(self, tensor, others):
        """``tensor`` is about to be written in place with ``others`` as operands (``w -= lr * grad`` under
        no_grad): know them as they are before the write (an operand may be ``tensor`` itself, or share its
        memory)."""
        if not _hook_state.in_backward:
            self._before = [self._tensor(tensor)] + [self._tensor(t) for t in others]

    def on_inplace_op(self, tensor, node, others):
        """``node`` (an op instance, no graph) ran in place on ``tensor``'s array with ``others`` as its operands.

        The same records as the alias path (``on_op`` of the op on an alias, then ``on_inplace``) gives.
        """
        if _hook_state.in_backward:
            return
        records, self._before = self._before, None  # as before_inplace saw them
        before = records[0]
        state = _hook_state
        phase = state.phase
        if phase is None:
            phase = _op_phase(records)
        out = capture_tensor(tensor, self.small, before.ident, None,
                             data=self._capture(tensor._data, self.small))
        op = capture_op(node, records, out, state.module, phase)
        self._tag(op)
        op.label = IN_PLACE
        op.phase = self._inplace_phase(out.ident, phase)
        op.inplace = True
        self._append(op, phase, _getframe(2))
        if op.phase == "update":
            self._retag_operand_producer(op)
        self._live.set(tensor, out)
        remember(tensor, out.data, self._token)

    def on_inplace(self, tensor, result, what=None, operands=(), key=None):
        if _hook_state.in_backward:
            return
        before = self._live.get(tensor)
        if result is not None:  # Tensor._inplace ran an op on an alias of `tensor`: make it about `tensor`
            op = self._events[-1] if self._events else None
            if not isinstance(op, OpRecord) or op.output is not self._live.get(result):
                return
            alias = op.inputs[0]
            if before is not None and before.version == alias.version and before.array_id == alias.array_id:
                op.inputs[0] = before
            elif before is not None:
                alias.ident = before.ident
            out = op.output
            out.ident, out.module = op.inputs[0].ident, None
            _refresh(out, tensor)
            if self._lazy:
                out.data = capture_lazy(tensor._data, self.small)  # (the alias's result is gone)
            op.label = IN_PLACE if op._label is None else op.op + "_" + op.label[len(op.op):]
            op.phase = self._inplace_phase(out.ident, op.phase)
            if op.phase == "update":
                self._retag_operand_producer(op)
        else:  # zero_, fill_, copy_, t[k] = v without a graph: no op class ran
            target = before if before is not None and before.version == tensor._version[0] - 1 else None
            arr, ident = tensor._data, target.ident if target else Ident(external=True)
            if what == "zero_":  # no pass over the zeros
                image = constant_thumbnail(tuple(arr.shape), 0, self.small) if arr.__class__ is _ndarray else None
                out = capture_tensor(tensor, self.small, ident, data=constant_summary(tuple(arr.shape), 0, self.small),
                                     image=image)
            else:
                out = capture_tensor(tensor, self.small, ident, data=self._capture(arr, self.small))
            op = inplace_op(what or "inplace", target, out, _hook_state.module,
                            self._inplace_phase(out.ident, "forward"))
            if operands:  # the value copied or set, the index tensors of a key: drawn flowing in
                op.inputs += [self._tensor(t) for t in operands]
            if key is not None:
                op.attrs = _attrs({"key": key})
                op.label = None  # (made when read: "setitem [·]")
            self._tag(op)
            self._append(op, op.phase, _getframe(2))
        op.inplace = True
        self._live.set(tensor, out)
        remember(tensor, out.data, self._token)  # the next `w -= ...` reads it through an alias, the next tape as input

    @staticmethod
    def _inplace_phase(ident, phase):
        if _hook_state.phase:
            return _hook_state.phase
        if not _grad_state.enabled or ident.external or ident.grad_of is not None:
            return "update"
        return phase

    # --- optimizer.step(): one group of ops per parameter ------------------------------------
    def on_param_update(self, param, optimizer, rule, hyper, symbols):
        """``optimizer.step()`` begins updating ``param`` by ``rule`` (lines of text, see UpdateGroup)."""
        if _hook_state.in_backward:
            return
        self._update = UpdateGroup(self._updates, self._tensor(param), optimizer, tuple(rule), dict(hyper),
                                   dict(symbols))
        self._update_dtype = param._data.dtype
        self._update_log = None
        self._updates += 1

    logs_update_math = True  # optimizer.step() may run its fast path and log its calls here (LoggedMath)

    def can_log_update(self, param):
        """Whether the update of ``param`` can be logged rather than recorded op by op: its temporaries
        keep only their size (large NumPy arrays, statistics read lazily: a CuPy array's are taken when
        recorded), and every event stays (no ring)."""
        arr = param._data
        return self._lazy and self.max_events is None and arr.size > self.small and arr.__class__ is _ndarray \
            and _hook_state.module is None and not _hook_state.in_backward

    def update_operands(self, tensors):
        """The records of a logged update call's tensor operands, as they are before it runs."""
        return [self._tensor(t) for t in tensors]

    def on_update_call(self, name, args, records, written):
        """A call of the update math ran (see :class:`~graphviz_grad.optim.update_math.LoggedMath`)."""
        log = self._update_log
        if log is None:
            log = self._update_log = UpdateLog(self._update, self._update_dtype, self.small)
            self._append(log, "update", _getframe(2))
        if records:
            it = iter(records)
            args = tuple(next(it) if a is None else a for a in args)
        out = None
        if written is not None:
            small = self.small
            data = capture_lazy(written._data, small)
            if name.endswith("_"):  # written in place: a new version of the first argument
                out = capture_tensor(written, small, args[0].ident, None, data=data)
                remember(written, data, self._token)
            else:  # a new tensor (clone)
                out = capture_tensor(written, small, None, None, data)
            self._live.set(written, out)
        log.calls.append((name, args, out))
        log._ops = None  # (read mid-update: made again with this call)

    def on_param_update_end(self, param, state):
        """Done with ``param``; its optimizer state tensors are named after it (``w.exp_avg``)."""
        group, self._update = self._update, None
        self._update_log = None
        if group is None:
            return
        for key, value in state.items():
            if key == "step" or not hasattr(value, "_version"):
                continue
            rec = self._live.get(value)
            if rec is not None and rec.ident.state_of is None and rec.ident.grad_of is None:
                rec.ident.state_of = (group.param, key)

    # --- helpers ---------------------------------------------------------------------------
    def _tag(self, op):
        """The module class and call number of the op's module call (and the calls around it); its
        optimizer update group."""
        if op.module is not None:
            calls = self._calls
            running = calls.running
            if running is not None:
                op.module_type = running.__class__.__name__
                op.module_call = calls.call
                op.module_chain = calls.chain
        op.update = self._update

    def _tensor(self, t):
        """The record of ``t`` as it is now: the known one, or a new one (a new version of the same tensor)."""
        rec = self._live.get(t)
        arr = t._data
        if rec is not None and rec.version == t._version[0] and rec.array_id == id(arr):
            if rec.name is not t._name:
                rec.name = t._name  # named after it was first seen (parameters get theirs on the first call)
            return rec
        data = capture_lazy(arr, self.small) if self._lazy else of_tensor(t, self.small, self._token)
        if rec is None:
            ident = _new(Ident)
            ident.external = True
            rec = capture_tensor(t, self.small, ident, data=data)
            if rec.shape or rec.requires_grad:  # (not a Python number made a tensor)
                self._external.append(rec)
        else:
            rec = capture_tensor(t, self.small, rec.ident, data=data)
        self._live.set(t, rec)
        if t.grad_fn is not None and self._ops.get(t.grad_fn) is None:
            self._outputs.set(t.grad_fn, rec)
        return rec

    def _add_op(self, node, inputs, result, frame):
        state = _hook_state
        module = state.module
        out = capture_tensor(result, self.small, None, module, self._capture(result._data, self.small))
        self._live.set(result, out)
        phase = state.phase
        if phase is None:
            phase = _op_phase(inputs)
        op = capture_op(node, inputs, out, module, phase)
        if module is not None or self._update is not None:
            self._tag(op)
        if node.inputs:
            self._ops.set(node, op)
        self._append(op, phase, frame)

    def _adopt(self, node, grad):
        """An OpRecord for a node whose forward ran before recording began."""
        inputs = [self._tensor(t) for t in node.inputs]
        out = self._outputs.get(node) or placeholder_tensor(grad, node.module)
        op = capture_op(node, inputs, out, node.module)
        self._ops.set(node, op)
        return op

    def _note_grad(self, grad_tensor, delivered, delivered_summary, owner):
        """Record the ``.grad`` tensor of ``owner`` after the engine accumulated into it."""
        known = self._live.get(grad_tensor)
        arr, version = grad_tensor._data, grad_tensor._version[0]
        if known is not None and known.version == version and known.array_id == id(arr):
            return  # untouched (autograd.grad fills no .grad)
        if delivered is None:
            data = self._capture(arr, self.small)
        elif self._lazy and delivered_summary.__class__ is not dict:
            data = capture_lazy(arr, self.small)  # read later, if the .grad is unchanged
        elif arr is delivered or (known is None and version == 0):
            data = delivered_summary  # a new .grad: the delivered array itself, or a copy of it
        elif (known is not None and known.version == version - 1 and known.array_id == id(arr)
              and is_all_zero(known.data) and _is_stats(delivered_summary)):
            data = plus_zero(delivered_summary)  # zeros + delivered: the delivered values (-0.0 becomes 0.0)
        else:
            data = self._capture(arr, self.small)
        owner.grad = data
        owner.grad_image = None if self._lazy and data.__class__ is not dict else thumbnail(arr, self.small)
        ident = known.ident if known is not None else Ident()
        ident.grad_of = owner
        self._live.set(grad_tensor, capture_tensor(grad_tensor, self.small, ident, data=data))

    def _retag_operand_producer(self, op):
        """``w -= lr * grad``: the op that just computed ``lr * grad`` belongs to the update too."""
        events = self._events
        if len(events) < 2:
            return
        before = events[-2]
        if (isinstance(before, OpRecord) and before.phase == "forward" and before.seq == -1
                and any(before.output is r for r in op.inputs[1:])):
            before.phase = "update"

    def _append(self, event, phase, frame):
        """Append ``event``; ``frame`` is where the engine was called from (the user's code is it or above it)."""
        frame = first_user_frame(frame, self._call_code)
        if frame is not None and frame.f_code is self._call_code:
            # Inside a module call whose forward is not the user's (a library model): the walk up to the
            # user's code is the same for every op of the call, so it is made once per call.
            call, user = self._call_user
            if call != self._calls.call:
                call, user = self._calls.call, first_user_frame(frame.f_back)
                self._call_user = (call, user)
            frame = user
        elif self._call_user[0] is not None:
            self._call_user = (None, None)  # (held no longer than self._frame: a frame keeps its locals)
        if frame is not self._frame:
            if self._frame is not None:
                self._name_from([self._frame])  # a function returned: its locals are final
            self._frame = frame
            self._phase = phase
        elif phase != self._phase and (phase != "forward" or _grad_state.enabled):
            # forward -> backward -> update: name what the code bound so far, before a loop's next step
            # rebinds it (its locals: a function seldom rebinds a global, and the globals are read when
            # the frame is left or the tape ends). Not after backward: backward binds no variables, and
            # what forward bound was read when backward began. An in-place update under no_grad is
            # "forward" only until on_inplace retags it.
            if self._phase != "backward" and frame is not None:
                name_variables([frame], self._live.get, globals_too=False)
            self._phase = phase
        self._events.append(event)
        self._appended += 1

    def _inputs_unnamed(self):
        """Some tensor first seen as an input (made before the block) has no name yet (Python numbers aside)."""
        for rec in self._external:
            if rec.name is None and rec.ident.var is None:
                return True
        return False

    def _name_from(self, frames):
        name_variables(frames, self._live.get)


def _op_phase(inputs):
    """An op's phase without an explicit one: ``update`` if it reads a ``.grad`` under no_grad, else ``forward``."""
    if not _grad_state.enabled:
        for r in inputs:
            ident = r._ident  # (not r.ident, which would make one)
            if ident is not None and ident.grad_of is not None:
                return "update"
    return "forward"


def _is_stats(summary):
    return summary.__class__ is tuple or "values" not in summary


def _refresh(rec, t):
    """Update ``rec`` to describe tensor ``t`` as it is after an in-place change."""
    rec.name = t._name
    rec.requires_grad = bool(t.requires_grad)
    rec.is_leaf = t.grad_fn is None
    rec.is_param = _is_parameter(t)
    rec.version = t._version[0]
    rec.array_id = id(t._data)


def _shape(rec):
    return list(rec.shape)


def _op_event(op, ids, step):
    ins = [ids(t) for t in op.inputs]
    return {
        "phase": op.phase, "op": op.op, "label": op.label, "op_id": ids(op), "forward_step": step,
        "inplace": op.inplace, "module": op.module, "inputs": ins, "output": ids(op.output),
        "input_shapes": [_shape(t) for t in op.inputs], "output_shape": _shape(op.output),
        "text": f"{ids.label(op.output)} = {op.label}({', '.join(ids.label(t) for t in op.inputs)})",
    }


def _backward_event(step, ids, k):
    op = step.op
    rules = [None if g is None else chain_rule(op, i, step.grad_out, ids.label) for i, g in enumerate(step.grads)]
    return {
        "phase": "backward", "op": op.op, "label": op.label, "op_id": ids(op), "grad_fn": op.grad_fn,
        "backward_step": k, "module": op.module, "inputs": [ids(t) for t in op.inputs], "output": ids(op.output),
        "grad_out": as_dict(step.grad_out), "grads": [as_dict(g) for g in step.grads], "rules": rules,
        "text": "; ".join(r for r in rules if r) or f"{op.grad_fn}: no gradient to pass on",
    }
