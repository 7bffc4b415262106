"""Fixes of differences from torch found by tests/test_parity_battery.py, each checked against torch 2.13.

Every test runs the same snippet with ``torch`` and with ``graphviz_grad`` and
compares values, gradients, dtypes and, for user mistakes, exception types.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import graphviz_grad as vg  # noqa: E402
from torch_parity import _np, assert_same, check, check_raises_same, raised, run_both  # noqa: E402,F401


# --- 1. t == None ------------------------------------------------------------------------


@pytest.mark.parametrize("other", [None, "a", object, [1.0, 2.0]], ids=["None", "str", "class", "list"])
def test_compare_with_a_non_operand_is_python_identity(other):
    check(lambda lib: (lib.ones(2) == other, lib.ones(2) != other))


def test_compare_operators_still_compare_tensors_and_numbers():
    check(lambda lib: (lib.tensor([1.0, 2.0]) == 2, lib.tensor([1, 2]) != lib.tensor([1, 3]),
                       lib.tensor([1.0, 2.0]) == np.float64(1.0)))


@pytest.mark.parametrize("fn", ["eq", "ne"])
def test_eq_function_with_none_raises_typeerror(fn):
    check_raises_same(lambda lib: getattr(lib, fn)(lib.ones(2), None))
    check_raises_same(lambda lib: getattr(lib.ones(2), fn)(None))


# --- 2. cross_entropy / nll_loss: weight= and ignore_index ----------------------------------


_LOGITS = np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0], [0.0, 0.0, 0.0], [-2.0, 0.3, 1.1]], dtype=np.float32)
_LOGITS_3D = np.random.default_rng(0).standard_normal((2, 3, 4))
_WEIGHT = [1.0, 2.0, 3.0]


def _loss_and_grad(lib, loss_fn, logits, *args, **kw):
    x = lib.tensor(logits, requires_grad=True)
    loss = loss_fn(lib)(x, *args, **kw)
    (loss * 2).sum().backward()
    return loss, x.grad


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("target", [[1, -100, 0, 2], [1, 2, 0, 2]], ids=["ignored", "all_counted"])
def test_cross_entropy_weight_and_ignore_index(reduction, weighted, target):
    def fn(lib):
        weight = lib.tensor(_WEIGHT) if weighted else None
        return _loss_and_grad(lib, lambda lib: lib.nn.functional.cross_entropy, _LOGITS, lib.tensor(target),
                              weight=weight, reduction=reduction)
    check(fn)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["CrossEntropyLoss", "NLLLoss"])
def test_class_losses_weight_and_ignore_index_kdim(loss, reduction):
    target = [[0, 1, 2, 2], [2, 2, 1, 0]]

    def fn(lib):
        module = getattr(lib.nn, loss)(weight=lib.tensor(_WEIGHT, dtype=lib.float64), ignore_index=2,
                                       reduction=reduction)
        inputs = lib.tensor(_LOGITS_3D, requires_grad=True)
        loss_value = module(inputs if loss == "CrossEntropyLoss" else inputs.log_softmax(1), lib.tensor(target))
        loss_value.sum().backward()
        return loss_value, inputs.grad, list(module.state_dict())
    check(fn)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_weight_with_class_probabilities(reduction):
    probs = np.random.default_rng(1).dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1)
    check(lambda lib: _loss_and_grad(lib, lambda lib: lib.nn.functional.cross_entropy, _LOGITS_3D,
                                     lib.tensor(probs), weight=lib.tensor(_WEIGHT, dtype=lib.float64),
                                     reduction=reduction))


def test_cross_entropy_one_sample_weighted_and_ignored():
    check(lambda lib: (
        _loss_and_grad(lib, lambda lib: lib.nn.functional.cross_entropy, _LOGITS[0], lib.tensor(1),
                       weight=lib.tensor(_WEIGHT)),
        _loss_and_grad(lib, lambda lib: lib.nn.functional.cross_entropy, _LOGITS[0], lib.tensor(-100)),
    ))


def test_cross_entropy_nothing_counted_is_nan_with_zero_grad():
    with np.errstate(all="raise"):
        check(lambda lib: (
            _loss_and_grad(lib, lambda lib: lib.nn.functional.cross_entropy, _LOGITS, lib.tensor([-100] * 4)),
            _loss_and_grad(lib, lambda lib: lib.nn.functional.cross_entropy, _LOGITS, lib.tensor([1, 2, 0, 2]),
                           weight=lib.zeros(3)),
        ))


def test_nll_loss_ignore_index_default():
    check(lambda lib: _loss_and_grad(lib, lambda lib: lib.nn.functional.nll_loss, _LOGITS,
                                     lib.tensor([1, -100, 0, 2])))


@pytest.mark.parametrize("mistake", [
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(_LOGITS), lib.tensor([0, 1, 2, 0]),
                                                weight=lib.tensor([1.0, 2.0])),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(_LOGITS), lib.tensor([0, 1, 2, 0]),
                                                weight=lib.tensor(_WEIGHT, dtype=lib.float64)),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(_LOGITS), lib.tensor([0, 1, 2, 0]), weight=_WEIGHT),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(_LOGITS), lib.tensor([0, 1, 2, 0]),
                                                weight=lib.tensor(_WEIGHT, requires_grad=True)),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(_LOGITS), lib.tensor([5, 1, 2, 0]),
                                                weight=lib.tensor(_WEIGHT)),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(_LOGITS), lib.tensor([-1, 1, 2, 0]), ignore_index=2),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(_LOGITS), lib.tensor([0, 1, 2, 0]), ignore_index=None),
    lambda lib: lib.nn.functional.cross_entropy(lib.tensor(_LOGITS), lib.softmax(lib.tensor(_LOGITS), 1),
                                                ignore_index=1),
], ids=["weight_size", "weight_dtype", "weight_list", "weight_requires_grad", "target_too_big",
        "target_negative", "ignore_index_none", "ignore_index_with_probabilities"])
def test_class_loss_mistakes_raise_torchs_type(mistake):
    check_raises_same(mistake)


# --- 3. grad-mode decorators ------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["no_grad", "enable_grad", "inference_mode"])
def test_grad_mode_bare_decorator(mode):
    def fn(lib):
        @getattr(lib, mode)
        def f(a):
            return (a * 2).requires_grad, lib.is_grad_enabled()

        with lib.set_grad_enabled(mode == "no_grad"):
            inside = f(lib.ones(2, requires_grad=True))
        return inside, f.__name__, lib.is_grad_enabled()
    check(fn)


@pytest.mark.parametrize("make,outside", [
    (lambda lib: lib.no_grad(), True), (lambda lib: lib.enable_grad(), False),
    (lambda lib: lib.set_grad_enabled(False), True), (lambda lib: lib.inference_mode(), True),
], ids=["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"])
def test_grad_mode_decorator_holds_at_each_resumption_of_a_generator(make, outside):
    def fn(lib):
        seen = []

        def gen(a):
            received = yield (a * 2).requires_grad
            seen.append(("sent", received, lib.is_grad_enabled()))
            try:
                yield lib.is_grad_enabled()
            except ValueError:
                seen.append(("thrown", lib.is_grad_enabled()))
                yield "after throw"
            finally:
                seen.append(("closed", lib.is_grad_enabled()))

        with lib.set_grad_enabled(outside):
            it = make(lib)(gen)(lib.ones(2, requires_grad=True))
            between = [lib.is_grad_enabled()]
            first = next(it)
            between.append(lib.is_grad_enabled())
            second = it.send("hello")
            third = it.throw(ValueError)
            it.close()
            between.append(lib.is_grad_enabled())
        return first, second, third, seen, between
    check(fn)


def test_decorated_generator_returns_its_value():
    def fn(lib):
        @lib.no_grad()
        def gen():
            yield 1
            return "done"

        it = gen()
        next(it)
        with pytest.raises(StopIteration) as stop:
            next(it)
        return stop.value.value
    check(fn)


# --- 4. legacy constructors: FloatTensor, DoubleTensor, LongTensor (and Tensor) ----------------


_LEGACY_DATA = [
    ([1, 2],), ([[1.5, 2.0], [3.0, 4.0]],), ((2, 3),), (np.array([1, 2]),), ([True, False],), ([1.7, -2.2],),
]


@pytest.mark.parametrize("ctor", ["FloatTensor", "DoubleTensor", "LongTensor"])
@pytest.mark.parametrize("args", _LEGACY_DATA, ids=["ints", "floats_2d", "tuple_is_data", "ndarray", "bools",
                                                    "floats_truncated"])
def test_legacy_constructor_from_data(ctor, args):
    check(lambda lib: getattr(lib, ctor)(*args))


@pytest.mark.parametrize("ctor", ["FloatTensor", "DoubleTensor", "LongTensor"])
@pytest.mark.parametrize("args", [(), (2, 3), (4,), (np.int64(3),), "size"],
                         ids=["none", "ints", "int", "np_int", "size"])
def test_legacy_constructor_from_sizes(ctor, args):
    def fn(lib):
        sizes = (lib.Size([2, 3]),) if args == "size" else args
        t = getattr(lib, ctor)(*sizes)
        return str(t.dtype).split(".")[-1], tuple(t.shape), t.requires_grad
    check(fn)


@pytest.mark.parametrize("mistake", [
    lambda lib: lib.FloatTensor(lib.ones(2, dtype=lib.float64)),
    lambda lib: lib.FloatTensor(lib.tensor(3)),
    lambda lib: lib.FloatTensor([1, 2], requires_grad=True),
    lambda lib: lib.FloatTensor(2.5),
    lambda lib: lib.FloatTensor(True),
    lambda lib: lib.FloatTensor(None),
    lambda lib: lib.FloatTensor("ab"),
    lambda lib: lib.FloatTensor(2, 3.0),
    lambda lib: lib.FloatTensor(-1),
    lambda lib: lib.FloatTensor([[1, 2], [3]]),
], ids=["other_dtype_tensor", "long_tensor", "requires_grad_kw", "float", "bool", "None", "str", "float_size",
        "negative_size", "ragged"])
def test_legacy_constructor_mistakes(mistake):
    check_raises_same(mistake)


def test_legacy_types_are_dtype_checks_and_tensors_stay_tensors():
    def fn(lib):
        made = [lib.FloatTensor([1]), lib.DoubleTensor([1]), lib.LongTensor([1])]
        same = lib.ones(2)
        lib.FloatTensor(same).add_(1)  # a tensor of the right dtype is taken as it is, memory shared
        return ([isinstance(t, lib.Tensor) for t in made],
                [isinstance(t, lib.FloatTensor) for t in made + [lib.nn.Parameter(lib.ones(1))]],
                [isinstance(t, lib.DoubleTensor) for t in made], [isinstance(t, lib.LongTensor) for t in made],
                issubclass(lib.FloatTensor, lib.Tensor), same,
                lib.FloatTensor.__name__, str(lib.LongTensor.dtype).split(".")[-1])
    check(fn)


@pytest.mark.parametrize("args", [([1, 2],), ([[1, 2.5]],), ((2, 3),), (), (2, 3), (np.array([1, 2]),)],
                         ids=["ints", "floats", "tuple", "none", "sizes", "ndarray"])
def test_legacy_new_without_dtype_is_torch_Tensor(args):
    """What ``Tensor(*args)`` gives once tensor.py delegates to ``_creation.legacy_new`` (float32 for [1, 2])."""
    def fn(lib):
        t = lib.Tensor(*args) if lib is torch else vg._creation.legacy_new(args)
        return str(t.dtype).split(".")[-1], tuple(t.shape), (t.tolist() if args and len(args) == 1 else None)
    check(fn)


def test_legacy_new_without_dtype_keeps_a_tensor_of_any_dtype():
    ints = vg.tensor([1, 2])
    assert vg._creation.legacy_new((ints,)) is ints
    assert torch.Tensor(torch.tensor([1, 2])).dtype == torch.int64


# --- 5. user mistakes, dtype inference, clamp to tensor bounds ---------------------------------


@pytest.mark.parametrize("mistake", [
    lambda lib: lib.cat([lib.ones(1), 1]),
    lambda lib: lib.cat((lib.ones(1), np.ones(1))),
    lambda lib: lib.cat([lib.ones(1), None]),
    lambda lib: lib.cat([]),
    lambda lib: lib.cat(lib.ones(2), lib.ones(2)),
    lambda lib: lib.cat(5),
    lambda lib: lib.stack([lib.ones(1), 1]),
    lambda lib: lib.stack([]),
    lambda lib: lib.mm(lib.ones(2, 2), np.ones((2, 2))),
    lambda lib: lib.mm(np.ones((2, 2)), lib.ones(2, 2)),
    lambda lib: lib.ones(2, 2).mm([[1.0, 2.0], [3.0, 4.0]]),
    lambda lib: lib.tensor(None),
    lambda lib: lib.tensor([1, None]),
    lambda lib: lib.tensor([[1], [None]]),
    lambda lib: lib.tensor(object()),
    lambda lib: lib.tensor({1: 2}),
    lambda lib: lib.tensor(["a"]),
    lambda lib: lib.tensor("ab"),
    lambda lib: lib.tensor(np.array([None])),
    lambda lib: lib.clamp(lib.ones(2), min=lib.zeros(2), max=4.0),
    lambda lib: lib.clamp(lib.ones(2), min=0, max=lib.ones(2)),
], ids=["cat_int", "cat_ndarray", "cat_None", "cat_empty", "cat_two_args", "cat_int_arg", "stack_int",
        "stack_empty", "mm_ndarray_right", "mm_ndarray_left", "mm_method_list", "tensor_None", "tensor_list_None",
        "tensor_nested_None", "tensor_object", "tensor_dict", "tensor_list_str", "tensor_str", "tensor_object_array",
        "clamp_tensor_and_float", "clamp_int_and_tensor"])
def test_mistakes_raise_torchs_exception_type(mistake):
    check_raises_same(mistake)


@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("data", [
    [np.float64(1.0), np.float64(2.0)], [np.float32(1.0), 2.0], [np.float64(1.0), 2.0], [1.0, np.float64(2.0)],
    [np.float16(1.0)], [np.float16(1.0), 2], [[np.float64(1.0)], [2.0]], [np.float32(1.0), np.int64(2)],
    [np.int64(1), 2.5], [np.float16(1.0), np.float32(2.0)], [True, np.float32(2.0)], np.float64(1.0),
    np.float32(1.0), [np.int32(1), np.int32(2)], [np.int32(1), 2], [np.uint8(1), np.int8(2)], [1.0, 2],
    [[]], [], 1.5,
], ids=lambda d: repr(d).replace(" ", ""))
def test_tensor_infers_dtype_of_numpy_scalars_like_torch(data, default):
    def fn(lib):
        before = lib.get_default_dtype()
        lib.set_default_dtype(getattr(lib, default))
        try:
            return lib.tensor(data)
        finally:
            lib.set_default_dtype(before)
    check(fn)


def _clamp_program(x, lo, hi, dtype="float32"):
    def fn(lib):
        def leaf(v):
            if isinstance(v, list):
                return lib.tensor(v, dtype=getattr(lib, dtype), requires_grad=True)
            return v
        xs, los, his = leaf(x), leaf(lo), leaf(hi)
        y = lib.clamp(xs, min=los, max=his)
        y.sum().backward()
        return y, xs.grad, getattr(los, "grad", None), getattr(his, "grad", None)
    return fn


_NAN = float("nan")


@pytest.mark.parametrize("x,lo,hi", [
    ([1.0, 5.0, -3.0, 0.0, 4.0], [0.0] * 5, [4.0]),                # ties at both bounds go to x
    ([1.0, 5.0, -3.0], [2.0], [1.0]),                                # min > max: the result is max
    ([1.0, 5.0, -3.0], [3.0, 3.0, 3.0], [1.0, 1.0, 1.0]),
    ([1.0, 5.0, -3.0], None, [1.0, 1.0, 1.0]),
    ([1.0, 5.0], [[0.0, 0.0], [2.0, 6.0]], None),                   # the bound broadcasts the result
    ([[1.0, 5.0]], [0.0, 9.0], [8.0, 10.0]),
    ([1.0, _NAN], [2.0, 0.0], None),                                 # nan: nan result, no gradient
    ([1.0, 2.0], [_NAN, 0.0], [_NAN, 5.0]),
], ids=["ties", "min_above_max", "elementwise", "max_only", "broadcast", "both_broadcast", "nan_input",
        "nan_bound"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clamp_to_tensor_bounds_values_and_grads(x, lo, hi, dtype):
    check(_clamp_program(x, lo, hi, dtype))


@pytest.mark.parametrize("program", [
    lambda lib: lib.clamp(lib.tensor([1, 5]), min=lib.tensor([2.5, 0.0])),
    lambda lib: lib.clamp(lib.tensor([1, 5]), min=lib.tensor(2.5)),
    lambda lib: lib.clamp(lib.tensor([1.0, 5.0]), min=lib.tensor([2, 0])),
    lambda lib: lib.clamp(lib.tensor([1.0, 5.0]), min=lib.tensor([2.0, 0.0], dtype=lib.float64)),
    lambda lib: lib.clamp(lib.tensor([1.0, 5.0]), min=lib.tensor(2.0, dtype=lib.float64)),
    lambda lib: lib.clamp(lib.tensor([1, 5]), min=lib.tensor([2, 0])),
    lambda lib: lib.tensor([1.0, 2.0]).clip(lib.tensor([3.0, 0.0])),
    lambda lib: lib.clamp_max(lib.tensor([1.0, 2.0]), lib.tensor([3.0, 0.0])),
    lambda lib: lib.clamp(lib.tensor([1.0, 5.0]), min=0, max=lib.tensor(4.0)),
    lambda lib: lib.clamp(lib.tensor([1, 5]), min=lib.tensor(2.5), max=9),
], ids=["int_float_bound", "int_0d_float_bound", "float_int_bound", "f32_f64_bound", "f32_0d_f64_bound",
        "int_int_bound", "clip_method", "clamp_max", "number_and_0d_tensor", "0d_tensor_and_number"])
def test_clamp_to_tensor_bounds_dtypes(program):
    check(program)


# --- ~ is bitwise not, as in torch ------------------------------------------------------------------


@pytest.mark.parametrize("values", [[0, 5, -3], [True, False, True]], ids=["int", "bool"])
def test_invert_is_bitwise_not(values):
    check(lambda lib: (~lib.tensor(values), lib.bitwise_not(lib.tensor(values)), lib.tensor(values).bitwise_not(),
                       lib.logical_not(lib.tensor(values))))


@pytest.mark.parametrize("how", ["operator", "function", "method"])
def test_bitwise_not_of_floats_raises_as_torch_does(how):
    call = {"operator": lambda lib, t: ~t, "function": lambda lib, t: lib.bitwise_not(t),
            "method": lambda lib, t: t.bitwise_not()}[how]
    check_raises_same(lambda lib: call(lib, lib.tensor([1.0, 2.0])))


# --- writes into a fresh .grad are seen through every alias, as in torch ---------------------------------


@pytest.mark.parametrize("write", ["mul_", "zero_", "fill_", "setitem", "add_"])
def test_views_and_arrays_of_a_fresh_grad_see_its_in_place_writes(write):
    def fn(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        w = lib.tensor([[0.5], [-1.0]], requires_grad=True)
        loss = x.mm(w).sum()
        loss.backward()
        flat, detached = w.grad.view(-1), w.grad.detach()
        with lib.no_grad():
            {"mul_": lambda g: g.mul_(0.5), "zero_": lambda g: g.zero_(), "fill_": lambda g: g.fill_(7.0),
             "setitem": lambda g: g.__setitem__(0, 9.0), "add_": lambda g: g.add_(g)}[write](w.grad)
        return w.grad, flat, detached
    check(fn)


def test_drawing_after_a_write_into_a_viewed_grad_still_shows_what_flowed():
    w = vg.tensor([1.0, 2.0], requires_grad=True, name="w")
    loss = (w * 3).sum()
    loss.backward()
    flat = w.grad.view(-1)
    with vg.no_grad():
        w.grad.mul_(0.5)
    assert flat.tolist() == [1.5, 1.5]
    G = vg.graph(loss)
    assert [d["grad"]["values"] for u, _, d in G.edges(data=True) if u == G.find("w")] == [[3.0, 3.0]]


# --- grad_fn names are PyTorch's, which depend on shapes and arguments ------------------------------------

_GRAD_FN_CASES = {
    "linear 2-D": lambda lib, x, v, x3: lib.nn.functional.linear(x, lib.ones(4, 3), lib.ones(4)),
    "linear no bias": lambda lib, x, v, x3: lib.nn.functional.linear(x, lib.ones(4, 3)),
    "linear 1-D": lambda lib, x, v, x3: lib.nn.functional.linear(v, lib.ones(4, 3), lib.ones(4)),
    "linear 3-D": lambda lib, x, v, x3: lib.nn.functional.linear(x3, lib.ones(4, 3), lib.ones(4)),
    "cross_entropy": lambda lib, x, v, x3: lib.nn.functional.cross_entropy(x, lib.tensor([0, 1]), reduction="none"),
    "l1 mean": lambda lib, x, v, x3: lib.nn.functional.l1_loss(x, lib.zeros(2, 3)),
    "l1 sum": lambda lib, x, v, x3: lib.nn.functional.l1_loss(x, lib.zeros(2, 3), reduction="sum"),
    "l1 none": lambda lib, x, v, x3: lib.nn.functional.l1_loss(x, lib.zeros(2, 3), reduction="none"),
    "clamp": lambda lib, x, v, x3: x.clamp(min=0),
    "x[0]": lambda lib, x, v, x3: x[0], "x[:, 1:]": lambda lib, x, v, x3: x[:, 1:],
    "x[1:, 0]": lambda lib, x, v, x3: x[1:, 0], "x[None]": lambda lib, x, v, x3: x[None],
    "x[mask]": lambda lib, x, v, x3: x[x > 0], "x[[0, 1]]": lambda lib, x, v, x3: x[[0, 1]],
    "sum": lambda lib, x, v, x3: x.sum(), "sum(0)": lambda lib, x, v, x3: x.sum(0),
    "mean(0)": lambda lib, x, v, x3: x.mean(0), "max()": lambda lib, x, v, x3: x.max(),
    "max(0)": lambda lib, x, v, x3: x.max(0)[0], "min()": lambda lib, x, v, x3: x.min(),
    "view": lambda lib, x, v, x3: x.view(3, 2), "reshape of t()": lambda lib, x, v, x3: x.t().reshape(6),
    "flatten": lambda lib, x, v, x3: x3.flatten(1), "squeeze(0)": lambda lib, x, v, x3: x3[:1].squeeze(0),
    "squeeze()": lambda lib, x, v, x3: x3[:1].squeeze(),
    "v @ v": lambda lib, x, v, x3: v @ v, "x @ v": lambda lib, x, v, x3: x @ v,
    "v @ M": lambda lib, x, v, x3: v @ lib.ones(3, 4), "x3 @ M": lambda lib, x, v, x3: x3 @ lib.ones(3, 4),
    "copy_": lambda lib, x, v, x3: lib.zeros(2, 3).copy_(x),
    "linear 1-D no bias": lambda lib, x, v, x3: lib.nn.functional.linear(v, lib.ones(4, 3)),
    "linear 3-D no bias": lambda lib, x, v, x3: lib.nn.functional.linear(x3, lib.ones(4, 3)),
    "squeeze((0, 1))": lambda lib, x, v, x3: x3[:1, :1].squeeze((0, 1)),
    "cross_entropy probabilities": lambda lib, x, v, x3: lib.nn.functional.cross_entropy(
        x, lib.softmax(lib.ones(2, 3), 1)),
    "cross_entropy probabilities, sum": lambda lib, x, v, x3: lib.nn.functional.cross_entropy(
        x, lib.softmax(lib.ones(2, 3), 1), reduction="sum"),
}


@pytest.mark.parametrize("case", list(_GRAD_FN_CASES))
def test_grad_fn_names_are_torchs(case):
    def fn(lib):
        x = lib.ones(2, 3, requires_grad=True)
        v, x3 = lib.ones(3, requires_grad=True), lib.ones(2, 2, 3, requires_grad=True)
        return repr(_GRAD_FN_CASES[case](lib, x, v, x3).grad_fn).split(" ")[0].strip("<>")
    check(fn)


def test_recorded_grad_fn_is_the_nodes_name():
    x = vg.ones(2, 3, requires_grad=True)
    with vg.record() as tape:
        loss = vg.nn.functional.linear(x, vg.ones(4, 3), vg.ones(4)).sum(0).mean()
        loss.backward()
    assert [e["grad_fn"] for e in tape.events if e["phase"] == "backward"] == [
        "MeanBackward0", "SumBackward1", "AddmmBackward0"]
    assert [d["grad_fn"] for _, d in vg.graph(loss).nodes(data=True) if d["kind"] == "op"] == [
        "AddmmBackward0", "SumBackward1", "MeanBackward0"]


# --- aliases of .grad across backward calls and zero_(), as in torch ------------------------------------

def _alias_programs():
    def retain(lib, alias):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (w * 3).sum()
        y.backward(retain_graph=True)
        a = alias(w.grad)
        y.backward()
        return a, w.grad

    def no_saved_tensors(lib, alias):  # (1 - w).sum() saves nothing: a second backward needs no retain_graph
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (1 - w).sum()
        y.backward()
        a = alias(w.grad)
        y.backward()
        return a, w.grad

    def zero_then_backward(lib, alias):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        (w * 3).sum().backward()
        a = alias(w.grad)
        w.grad.zero_()
        (w * 5).sum().backward()
        return a, w.grad

    def zero_grad_then_backward(lib, alias):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        (w * 3).sum().backward()
        a = alias(w.grad)
        opt.zero_grad(set_to_none=False)
        (w * 5).sum().backward()
        return a, w.grad

    def repeated_input(lib, alias):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        a = alias(w.grad)
        (w * w).sum().backward()
        return a, w.grad

    return {f.__name__: f for f in (retain, no_saved_tensors, zero_then_backward, zero_grad_then_backward,
                                   repeated_input)}


_ALIASES = {"view": lambda g: g.view(-1), "detach": lambda g: g.detach(), "data": lambda g: g.data,
            "same tensor": lambda g: g}


@pytest.mark.parametrize("alias", list(_ALIASES))
@pytest.mark.parametrize("program", list(_alias_programs()))
def test_aliases_of_grad_see_later_backward_calls(program, alias):
    check(lambda lib: _alias_programs()[program](lib, _ALIASES[alias]))


@pytest.mark.parametrize("write", ["data.zero_", "detach.zero_", "view.mul_", "data.mul_"])
def test_writing_grad_through_an_alias_leaves_the_drawn_gradient(write):
    w = vg.tensor([1.0, 2.0], requires_grad=True, name="w")
    loss = (w * 3).sum()
    loss.backward()
    how, op = write.split(".")
    alias = {"data": w.grad.data, "detach": w.grad.detach(), "view": w.grad.view(-1)}[how]
    with vg.no_grad():
        getattr(alias, op)(*(() if op == "zero_" else (0.5,)))
    G = vg.graph(loss)
    assert [d["grad"]["values"] for u, _, d in G.edges(data=True) if u == G.find("w")] == [[3.0, 3.0]]
    assert w.grad.tolist() == ([0.0, 0.0] if op == "zero_" else [1.5, 1.5])


# --- x[0] of a vector is a 0-d view, written through as in torch ----------------------------------------


def test_one_element_index_is_a_view():
    def fn(lib):
        x, m = lib.tensor([1.0, 2.0, 3.0]), lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        with lib.no_grad():
            x[0].fill_(7)
            m[0, 1].mul_(10)
            r = x[1]
            r += 5
        return x, m, x[2], x[-1].item()
    check(fn)


def test_numpy_ufunc_out_into_a_tensor_raises_as_torch_does():
    check_raises_same(lambda lib: np.add(lib.tensor([1.0, 2.0]), 1, out=(lib.tensor([0.0, 0.0]),)))
    t = vg.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="in-place method"):
        np.add(t, 1, out=t)
