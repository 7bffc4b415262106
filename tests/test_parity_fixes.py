"""Fixes of differences from torch found by tests/test_parity_battery.py, each checked against torch 2.13.

Every test runs the same snippet with ``torch`` and with ``graphviz_grad`` and
compares values, gradients, dtypes and, for user mistakes, exception types.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import graphviz_grad as vg  # noqa: E402
from graphviz_grad import _functions  # noqa: E402


def _np(x):
    return np.asarray(x.detach().cpu().numpy())


def assert_same(theirs, ours, rtol=1e-6, atol=1e-7):
    """Tensors (dtype, shape, values, requires_grad), None, sequences and plain values, recursively."""
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
    else:
        assert type(ours) is type(theirs) and ours == theirs


def check(fn, **tol):
    assert_same(fn(torch), fn(vg), **tol)


def raised(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        return type(e)
    return None


def check_raises_same(fn):
    theirs, ours = raised(fn, torch), raised(fn, vg)
    assert theirs is not None, "torch did not raise"
    assert ours is theirs, f"graphviz_grad raised {ours and ours.__name__}, torch raised {theirs.__name__}"


# --- 1. t == None ------------------------------------------------------------------------


@pytest.fixture
def comparison_operators(monkeypatch):
    """Tensor's == and != as _tensor_methods.py should attach them (the change asked of its owner)."""
    monkeypatch.setattr(vg.Tensor, "__eq__", _functions.eq_operator)
    monkeypatch.setattr(vg.Tensor, "__ne__", _functions.ne_operator)


@pytest.mark.parametrize("other", [None, "a", object, [1.0, 2.0]], ids=["None", "str", "class", "list"])
def test_compare_with_a_non_operand_is_python_identity(comparison_operators, other):
    check(lambda lib: (lib.ones(2) == other, lib.ones(2) != other))


def test_compare_operators_still_compare_tensors_and_numbers(comparison_operators):
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
