"""The expression language of ``vizgrad render``: values and gradients against torch, refusals, limits.

The parser never evaluates text; these tests check what it computes (torch as
the oracle), what it refuses (one line naming what and where), and, by
property tests, that random input only ever raises its clean ``ExprError``.
"""
import ast
import time

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphviz_grad as vg
from graphviz_grad.cli import expr
from graphviz_grad.cli.errors import ExprError

X = [[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]]
W = [[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]]
V = [0.2, -0.7, 1.1]

# (expression, VAR=VALUE inputs, the same computation on torch leaves)
CASES = [
    ("y = w*x + b", {"x": "1", "w": "2", "b": "3"}, lambda t: t["w"] * t["x"] + t["b"]),
    ("y = x - w / b", {"x": "1.5", "w": "2", "b": "4"}, lambda t: t["x"] - t["w"] / t["b"]),
    ("y = x ** 3 + 2 ** x", {"x": "1.5"}, lambda t: t["x"] ** 3 + 2 ** t["x"]),
    ("y = -x + (+x) * 2", {"x": "0.5"}, lambda t: -t["x"] + t["x"] * 2),
    ("y = x @ w", {"x": str(X), "w": str(W)}, lambda t: t["x"] @ t["w"]),
    ("y = mm(x, w)", {"x": str(X), "w": str(W)}, lambda t: torch.mm(t["x"], t["w"])),
    ("y = matmul(x, w)", {"x": str(X), "w": str(W)}, lambda t: torch.matmul(t["x"], t["w"])),
    ("y = dot(v, v)", {"v": str(V)}, lambda t: torch.dot(t["v"], t["v"])),
    ("y = relu(x)", {"x": str(X)}, lambda t: torch.relu(t["x"])),
    ("y = tanh(x)", {"x": str(X)}, lambda t: torch.tanh(t["x"])),
    ("y = sigmoid(x)", {"x": str(X)}, lambda t: torch.sigmoid(t["x"])),
    ("y = exp(x)", {"x": str(X)}, lambda t: torch.exp(t["x"])),
    ("y = log(abs(x))", {"x": str(X)}, lambda t: torch.log(torch.abs(t["x"]))),
    ("y = sqrt(x * x + 1)", {"x": str(X)}, lambda t: torch.sqrt(t["x"] * t["x"] + 1)),
    ("y = neg(square(x))", {"x": str(X)}, lambda t: torch.neg(torch.square(t["x"]))),
    ("y = sum(x)", {"x": str(X)}, lambda t: torch.sum(t["x"])),
    ("y = sum(x, dim=1)", {"x": str(X)}, lambda t: torch.sum(t["x"], dim=1)),
    ("y = sum(x, dim=0, keepdim=True)", {"x": str(X)}, lambda t: torch.sum(t["x"], dim=0, keepdim=True)),
    ("y = mean(x, dim=(0, 1))", {"x": str(X)}, lambda t: torch.mean(t["x"], dim=(0, 1))),
    ("y = mean(x)", {"x": str(X)}, lambda t: torch.mean(t["x"])),
    ("y = max(x)", {"x": str(X)}, lambda t: torch.max(t["x"])),
    ("y = min(x, 1)", {"x": str(X)}, lambda t: torch.min(t["x"], 1).values),
    ("y = max(x, dim=0, keepdim=True)", {"x": str(X)}, lambda t: torch.max(t["x"], dim=0, keepdim=True).values),
    ("y = max(x, w)", {"x": str(V), "w": "[0, 0, 0]"}, lambda t: torch.maximum(t["x"], t["w"])),
    ("y = maximum(x, 0.5) + minimum(x, 0.5)", {"x": str(V)},
     lambda t: torch.maximum(t["x"], torch.tensor(0.5)) + torch.minimum(t["x"], torch.tensor(0.5))),
    ("y = clamp(x, min=0)", {"x": str(X)}, lambda t: torch.clamp(t["x"], min=0)),
    ("y = clamp(x, min=-1, max=1)", {"x": str(X)}, lambda t: torch.clamp(t["x"], min=-1, max=1)),
    ("y = softmax(x, 1)", {"x": str(X)}, lambda t: torch.softmax(t["x"], 1)),
    ("y = log_softmax(x, dim=0)", {"x": str(X)}, lambda t: torch.log_softmax(t["x"], dim=0)),
    ("y = pow(x, 2) + pow(x, w)", {"x": "1.5", "w": "0.5"}, lambda t: torch.pow(t["x"], 2) + torch.pow(t["x"], t["w"])),
    ("y = t(x)", {"x": str(X)}, lambda t: t["x"].t()),
    ("y = transpose(x, 0, 1)", {"x": str(X)}, lambda t: torch.transpose(t["x"], 0, 1)),
    ("y = reshape(x, 3, 2)", {"x": str(X)}, lambda t: t["x"].reshape(3, 2)),
    ("y = reshape(x, (-1,))", {"x": str(X)}, lambda t: t["x"].reshape(-1)),
    ("y = flatten(x)", {"x": str(X)}, lambda t: torch.flatten(t["x"])),
    ("y = squeeze(unsqueeze(x, 0), 0)", {"x": str(X)}, lambda t: t["x"].unsqueeze(0).squeeze(0)),
    ("y = cat([x, x], dim=0)", {"x": str(X)}, lambda t: torch.cat([t["x"], t["x"]], dim=0)),
    ("y = stack([v, v * 2], 1)", {"v": str(V)}, lambda t: torch.stack([t["v"], t["v"] * 2], 1)),
    ("y = add(x, 1) * sub(x, 2) / div(x, 4) - mul(x, x)", {"x": "1.5"},
     lambda t: torch.add(t["x"], 1) * torch.sub(t["x"], 2) / torch.div(t["x"], 4) - torch.mul(t["x"], t["x"])),
    ("y = x[0]", {"x": str(X)}, lambda t: t["x"][0]),
    ("y = x[1, -1] + x[0, 1:]", {"x": str(X)}, lambda t: t["x"][1, -1] + t["x"][0, 1:]),
    ("y = x[:, ::2]", {"x": str(X)}, lambda t: t["x"][:, ::2]),
    ("h = x @ w; y = sum(relu(h) * 2)", {"x": str(X), "w": str(W)}, lambda t: torch.sum(torch.relu(t["x"] @ t["w"]) * 2)),
    ("h = w*x\ny = relu(h) + b", {"x": "2", "w": "-1.5", "b": "0.5"}, lambda t: torch.relu(t["w"] * t["x"]) + t["b"]),
    ("x = x * 2; y = x + 1", {"x": "3"}, lambda t: t["x"] * 2 + 1),
    ("y = x * [1, 2, 3]", {"x": "2"}, lambda t: t["x"] * torch.tensor([1.0, 2.0, 3.0])),
    ("y = (x + 1) * (x - 1)", {"x": str(V)}, lambda t: (t["x"] + 1) * (t["x"] - 1)),
    ("w * x + b", {"x": "1", "w": "2", "b": "3"}, lambda t: t["w"] * t["x"] + t["b"]),
]


def _torch_leaves(values):
    leaves = {}
    for name, text in values.items():
        data = ast.literal_eval(text)
        leaves[name] = torch.tensor(data, dtype=torch.float32, requires_grad=True)
    return leaves


@pytest.mark.parametrize("text, values, torch_fn", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch(text, values, torch_fn):
    ev = expr.evaluate(text, values)
    leaves = _torch_leaves(values)
    expected = torch_fn(leaves)
    np.testing.assert_allclose(ev.output.detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-6)

    out = ev.output if ev.output.numel() == 1 else ev.output.sum()
    out.backward()
    (expected if expected.numel() == 1 else expected.sum()).backward()
    inputs = dict(ev.inputs)
    for name, leaf in leaves.items():
        if leaf.grad is None:
            continue
        assert inputs[name].grad is not None, name
        np.testing.assert_allclose(inputs[name].grad.numpy(), leaf.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


def test_the_spec_example():
    ev = expr.evaluate("y=w*x+b", {"x": "1", "w": "2", "b": "3"})
    ev.output.backward()
    assert ev.output_name == "y" and ev.output.item() == 5.0
    assert [(n, t.grad.item()) for n, t in ev.inputs] == [("w", 1.0), ("x", 2.0), ("b", 1.0)]


def test_names_inputs_and_leaves():
    ev = expr.evaluate("h = w*x; y = relu(h) + b", {"x": "2"})
    assert ev.output.name == "y" and ev.variables["h"].name == "h"
    assert [n for n, _ in ev.inputs] == ["w", "x", "b"]
    assert ev.random_inputs == ["w", "b"]
    for name, t in ev.inputs:
        assert t.is_leaf and t.requires_grad and t.name == name and t.dtype == vg.float32


def test_unset_variables_are_seeded():
    a = expr.evaluate("y = w*x", seed=3)
    b = expr.evaluate("y = w*x", seed=3)
    c = expr.evaluate("y = w*x", seed=4)
    assert a.output.item() == b.output.item() != c.output.item()
    assert a.variables["w"].shape == vg.Size([])


def test_values_forms():
    ev = expr.evaluate("y = sum(a) + sum(b) + sum(c) + d", {
        "a": "randn(3, 4)", "b": "[[1, 2], [3, 4]]", "c": "zeros(2, 2)", "d": "-1.5e0"})
    shapes = {n: list(t.shape) for n, t in ev.inputs}
    assert shapes == {"a": [3, 4], "b": [2, 2], "c": [2, 2], "d": []}
    assert dict(ev.inputs)["b"].dtype == vg.float32
    assert ev.unused == []
    assert expr.evaluate("y = x", {"x": "ones((2, 3))", "z": "1"}).unused == ["z"]


def test_assigned_constants_become_inputs_and_copies_keep_names():
    ev = expr.evaluate("x = [1, 2]; w = randn(2); y = x * w; z = y")
    assert [n for n, _ in ev.inputs] == ["x", "w"]
    assert ev.output_name == "z" and ev.variables["y"].name == "y" and ev.output.name == "z"


def test_bare_last_expression_is_named():
    assert expr.evaluate("w * x").output_name == "y"
    assert expr.evaluate("w * y").output_name == "out"
    assert expr.evaluate("y = ones(2); y").output_name == "y"


def test_number_arithmetic_stays_python():
    ev = expr.evaluate("y = randn(2 * 3, 2 ** 2)")
    assert list(ev.output.shape) == [6, 4]


REFUSED = [
    ("x.__class__", "attribute access"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access"),
    ("import os", "imports"),
    ("from os import path", "imports"),
    ("__import__('os').system('ls')", "attribute access"),
    ("__import__('os')", "unknown function '__import__'"),
    ("eval('1+1')", "unknown function"),
    ("open('/etc/passwd')", "unknown function"),
    ("lambda: 1", "lambda"),
    ("[i for i in range(3)]", "comprehensions"),
    ("(i for i in x)", "generator"),
    ("{i: i for i in x}", "comprehensions"),
    ("'abc'", "strings"),
    ("b'abc'", "bytes"),
    ("f'{x}'", "f-strings"),
    ("relu(*x)", "starred"),
    ("relu(**x)", "keyword unpacking"),
    ("__x + 1", "starting with '_'"),
    ("y = __builtins__", "starting with '_'"),
    ("(y := 3)", "walrus"),
    ("x and y", "boolean"),
    ("x < y", "comparisons"),
    ("x if y else z", "conditional"),
    ("relu(x, inplace=True)", "keyword inplace="),
    ("x[0] = 1", "assigning"),
    ("x.y = 1", "assigning"),
    ("a, b = 1, 2", "assigning"),
    ("a = b = 1", "assigning"),
    ("x += 1", "augmented"),
    ("del x", "del"),
    ("def f(): pass", "function definitions"),
    ("class A: pass", "class definitions"),
    ("for i in x: pass", "loops"),
    ("while 1: pass", "loops"),
    ("if x: y = 1", "if statements"),
    ("with x: pass", "with"),
    ("try:\n  x\nexcept: pass", "try"),
    ("assert x", "assert"),
    ("x // 2", "operator //"),
    ("x % 2", "operator %"),
    ("~x", "operator ~"),
    ("not x", "operator not"),
    ("x << 2", "operator <<"),
    ("{1, 2}", "sets"),
    ("{'a': 1}", "dicts"),
    ("None", "None"),
    ("True", "True/False"),
    ("1j", "complex"),
    ("...", "..."),
    ("x[y]", "index"),
    ("x[[0, 1]]", "index"),
    ("x[0.5]", "index"),
    ("relu", "is a function"),
    ("relu = 3", "cannot assign to relu"),
    ("foo(1)", "unknown function 'foo'"),
    ("x; y", "only the last statement"),
    ("x.__dict__", "attribute access"),
    ("globals()", "unknown function"),
    ("3[0]", "only tensors can be indexed"),
    ("[1, 2][0]", "only tensors can be indexed"),
    ("sum(x, dim='a')", "strings"),
    ("x = 1; x(2)", "unknown function 'x'"),
    ("relu(x)(y)", "calling anything but a function name"),
    ("", "empty"),
    ("   ", "empty"),
    ("y = ", "syntax error"),
    ("y = (1", "syntax error"),
    ("x\x00", "syntax error"),
    ("print x", "syntax error"),
]


@pytest.mark.parametrize("text, what", REFUSED, ids=[repr(t)[:40] for t, _ in REFUSED])
def test_refused_with_one_line_naming_what(text, what):
    with pytest.raises(ExprError) as info:
        expr.evaluate(text)
    message = str(info.value)
    assert "\n" not in message
    assert what in message, message
    if text.strip():
        assert "column" in message, message


LIMITS = [
    ("9**9**9**9", "too large"),
    ("y = x ** (2 ** 70)", "too large"),
    ("2.0 ** 1e10", "too large"),
    ("10 ** 30", "too large"),
    ("99999999999999999999999999", "too large"),
    ("(-8) ** (1/3)", "not a real number"),
    ("0 ** -1", "negative power"),
    ("1 / 0", "division by zero"),
    ("randn(10000, 10000)", "elements"),
    ("zeros(100, 100, 100)", "elements"),
    ("ones(2, 2, 2, 2, 2, 2, 2, 2, 2)", "dimensions"),
    ("randn(1, 10000) * randn(10000, 1)", "elements"),
    ("randn(100, 1) @ randn(1, 1000)", "elements"),
    ("randn(-1)", "non-negative"),
    ("randn(2.5)", "must be an integer"),
    ("x" + " + x" * 300, "nested too deeply"),
    ("-" * 1999 + "x", "nested too deeply"),
    ("(" * 300 + "x" + ")" * 300, "syntax error"),
    ("[" * 300 + "]" * 300, "syntax error"),
    ("x" * 2001, "characters long"),
    ("; ".join(f"a{i} = 1" for i in range(60)), "statements"),
    ("y = " + "+".join(["x"] * 150) + "; z = " + "+".join(["y"] * 60), "operations"),
    ("y = [" + ",".join(["1"] * 900) + "]", "too large"),
    ("randn(2, 3) @ randn(2, 3)", "cannot be multiplied"),
    ("randn(2) + randn(3)", "cannot be broadcast"),
    ("sum(x, dim=5)", "Dimension out of range"),
    ("tensor([[1, 2], [3]])", "equal-length"),
    ("stack([x, 'a'])", "strings"),
    ("cat(x)", "list of tensors"),
    ("stack([randn(2), x])", "equal size"),
    ("relu(x, y)", "too many positional"),
    ("relu()", "missing a required argument"),
    ("clamp(x, min=[1, 2])", "must be a number"),
    ("sum(x, keepdim=1)", "True or False"),
    ("x @ 2", "at least 1D"),
]


@pytest.mark.parametrize("text, what", LIMITS, ids=[repr(t)[:40] for t, _ in LIMITS])
def test_limits_give_clean_errors_quickly(text, what):
    start = time.perf_counter()
    with pytest.raises(ExprError) as info:
        expr.evaluate(text)
    assert time.perf_counter() - start < 5
    assert "\n" not in str(info.value)
    assert what in str(info.value), str(info.value)


@pytest.mark.parametrize("arg, what", [
    ("x", "expected VAR=VALUE"),
    ("1x=2", "not a valid variable name"),
    ("_x=2", "not a valid variable name"),
    ("relu=2", "not a valid variable name"),
    ("x=y", "may not use variables"),
    ("x=relu(1)", "unknown function 'relu'"),
    ("x=x.__class__", "attribute access"),
    ("x='a'", "strings"),
    ("x=", "empty"),
    ("x=1; 2", "only the last statement"),
    ("x=#", "empty"),
    ("x=randn(100000)", "elements"),
])
def test_bad_values(arg, what):
    with pytest.raises(ExprError) as info:
        name, text = expr.split_assignment(arg)
        expr.parse_value(name, text)
    assert what in str(info.value), str(info.value)


def test_error_columns_point_at_the_problem():
    with pytest.raises(ExprError, match=r"^column 9: not allowed: attribute access"):
        expr.evaluate("y = x + a.b")
    with pytest.raises(ExprError, match=r"^line 2, column 5: "):
        expr.evaluate("y = 1\nz = y.real")
    with pytest.raises(ExprError, match=r"^column 7: not allowed: attribute access"):
        expr.evaluate("  y = x.q")  # leading blanks are allowed and counted (x.T is allowed: t(x))
    with pytest.raises(ExprError, match=r"^column 5: not allowed: strings"):
        expr.evaluate("é = 'a'")  # columns count characters, not bytes


# --- property tests ---------------------------------------------------------------------------

TOKENS = ["x", "y", "w", "1", "2.5", "0", "-", "+", "*", "/", "**", "@", "(", ")", "[", "]", ",", ";", "=",
          "relu", "sum", "randn", "clamp", "min=", "dim=", "keepdim=True", ".", "__class__", "'s'", ":", "lambda",
          "import", " ", "\n", "9", "99999", "e", "1e308", "[0]", "max", "softmax", "reshape", "__", "\\", "#",
          "{", "}", "!", "<", "and", "if", "else", "for", "in", "zeros", "ones", "\x00", "é", "ǅ", "t", "mm"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=30))
def test_token_soup_raises_only_clean_errors(tokens):
    text = "".join(tokens)
    try:
        ev = expr.evaluate(text)
    except ExprError as e:
        assert "\n" not in str(e)
    else:
        assert isinstance(ev.output, vg.Tensor)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_random_text_raises_only_clean_errors(text):
    try:
        expr.evaluate(text)
    except ExprError as e:
        assert "\n" not in str(e)


def _arithmetic():
    """(text, direct computation from {"x": tensor, "w": tensor}) for random valid arithmetic."""
    leaf = st.one_of(
        st.sampled_from(["x", "w"]).map(lambda n: (n, lambda env, n=n: env[n])),
        st.integers(1, 9).map(lambda v: (str(v), lambda env, v=v: v)),
        st.sampled_from([0.5, 1.25, 2.0, 3.5]).map(lambda v: (repr(v), lambda env, v=v: v)),
    )

    def extend(children):
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(
            lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", _binary(t[1], t[0][1], t[2][1])))
        power = st.tuples(children, st.integers(0, 3)).map(
            lambda t: (f"({t[0][0]} ** {t[1]})", lambda env, f=t[0][1], e=t[1]: _checked(f(env) ** e)))
        negate = children.map(lambda c: (f"(-{c[0]})", lambda env, f=c[1]: -f(env)))
        calls = st.tuples(st.sampled_from(["relu", "tanh", "sigmoid", "abs"]), children).map(
            lambda t: (f"{t[0]}({t[1][0]})", lambda env, fn=getattr(vg, t[0]), f=t[1][1]: fn(_as_tensor(f(env)))))
        return st.one_of(binary, power, negate, calls)

    return st.recursive(leaf, extend, max_leaves=12)


def _as_tensor(v):
    return v if isinstance(v, vg.Tensor) else vg.tensor(float(v))


def _checked(value):
    """Python-number results beyond 64 bits are refused by the CLI: the direct computation says so too."""
    if isinstance(value, int) and value.bit_length() > 64:
        raise OverflowError(value)
    return value


def _binary(op, f, g):
    fns = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b}
    return lambda env: _checked(fns[op](f(env), g(env)))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=200, deadline=None)
@given(_arithmetic(), st.floats(-3, 3, allow_nan=False, width=32), st.floats(-3, 3, allow_nan=False, width=32))
def test_random_arithmetic_matches_the_engine(case, x, w):
    text, direct = case
    env = {"x": vg.tensor(x, requires_grad=True), "w": vg.tensor(w, requires_grad=True)}
    try:
        expected = direct(env)
    except (ZeroDivisionError, OverflowError):
        with pytest.raises(ExprError):
            expr.evaluate("y = " + text, {"x": repr(x), "w": repr(w)})
        return
    ev = expr.evaluate("y = " + text, {"x": repr(x), "w": repr(w)})
    expected = float(expected.item() if isinstance(expected, vg.Tensor) else np.float32(expected))
    np.testing.assert_allclose(ev.output.item(), expected, rtol=1e-6, equal_nan=True)
