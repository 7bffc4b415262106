"""``vizgrad render`` accepts method calls of its functions (relu(h).sum(), h.mean(0), x.T) through the
ast whitelist, and the new drawing options (--roll/--no-roll, --expand)."""
import numpy as np
import pytest
import torch
from typer.testing import CliRunner

from graphviz_grad.cli import app as cli_app
from graphviz_grad.cli import expr
from graphviz_grad.cli.errors import ExprError

H = [[0.5, -1.0, 2.0], [-0.25, 1.5, -3.0]]

# (method form, function form, the same in torch)
SAME = [
    ("y = relu(h).sum()", "y = sum(relu(h))", lambda h: torch.relu(h).sum()),
    ("y = h.mean(0).sum()", "y = sum(mean(h, 0))", lambda h: h.mean(0).sum()),
    ("y = (h.T @ h).sum()", "y = sum(t(h) @ h)", lambda h: (h.T @ h).sum()),
    ("y = h.t().tanh().sum()", "y = sum(tanh(t(h)))", lambda h: h.t().tanh().sum()),
    ("y = h.tanh().sum(dim=1).mean()", "y = mean(sum(tanh(h), dim=1))", lambda h: h.tanh().sum(dim=1).mean()),
    ("y = h.clamp(min=0).pow(2).sum()", "y = sum(pow(clamp(h, min=0), 2))", lambda h: h.clamp(min=0).pow(2).sum()),
    ("y = h.reshape(3, 2).softmax(1).max()", "y = max(softmax(reshape(h, 3, 2), 1))",
     lambda h: h.reshape(3, 2).softmax(1).max()),
]


@pytest.mark.parametrize("method, function, oracle", SAME)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_method_is_its_function(method, function, oracle, dtype):
    values = np.array(H, dtype=dtype)
    results = []
    for text in (method, function):
        import graphviz_grad as vg

        h = vg.tensor(values.copy(), requires_grad=True, name="h")
        ev = expr.evaluate(text, {"h": h})
        ev.output.backward()
        results.append((ev.output.item(), h.grad.numpy().copy()))
    th = torch.tensor(values, requires_grad=True)
    out = oracle(th)
    out.backward()
    tol = 1e-5 if dtype == "float32" else 1e-12
    for value, grad in results:
        assert value == pytest.approx(out.item(), rel=tol, abs=tol)
        np.testing.assert_allclose(grad, th.grad.numpy(), rtol=tol, atol=tol)
    assert results[0][0] == results[1][0]  # the same ops, in the same order


@pytest.mark.parametrize("text, message", [
    ("y = x.__class__", r"^column 5: not allowed: attribute access \(x\.__class__\)$"),
    ("y = x.T.__class__", "not allowed: attribute access"),
    ("y = x.sum.__self__", "not allowed: attribute access"),
    ("y = x.__add__(x)", "not allowed: attribute access"),
    ("y = x.sums()", r"unknown method or attribute 'sums' \(did you mean sum\?\)"),
    ("y = x.data", "unknown method or attribute 'data'"),
    ("y = x.numpy()", "unknown method or attribute 'numpy'"),
    ("y = x.sum", r"sum is a method; call it, e.g. x\.sum\(\)"),
    ("y = x.T()", r"calling anything but a function name \(x\.T\(\)\)"),
    ("y = x.sum(foo=1)", "the keyword foo= is not allowed"),
    ("y = relu(x).backward()", "unknown method or attribute 'backward'"),
])
def test_other_attributes_are_refused_in_one_line(text, message):
    with pytest.raises(ExprError, match=message) as info:
        expr.parse(text)
    assert "\n" not in str(info.value)


def test_a_value_may_not_call_methods():
    with pytest.raises(ExprError, match="no methods here"):
        expr.parse_value("x", "randn(3).sum()")


def test_methods_nest_without_recursion():
    text = "y = h" + ".tanh()" * 150
    tree = expr.parse(text)[1]
    assert tree.body[0].value.func.id == "tanh"


runner = CliRunner()


def invoke(*args, cwd):
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli_app.get_app(), list(args))
    finally:
        os.chdir(old)


def test_render_draws_a_method_expression(tmp_path):
    result = invoke("render", "y = relu(h).sum()", "h=[[1.0, -2.0], [3.0, -4.0]]", "--no-roll", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "y.svg").read_text(encoding="utf-8")
    assert "relu" in svg and "sum" in svg


def test_render_refuses_expand_without_modules(tmp_path):
    result = invoke("render", "y = h.sum()", "h=[1.0, 2.0]", "--level", "module", "--expand", "fc", cwd=tmp_path)
    assert result.exit_code == 1
    assert "calls no nn.Module" in result.output
    assert not (tmp_path / "y.svg").exists()


def test_render_draws_matrices_as_images_unless_told_not_to(tmp_path):
    args = ("render", "y = (x @ w).tanh().sum()", "x=randn(4, 10)", "w=randn(10, 30)")
    result = invoke(*args, "-o", "on.svg", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "data:image/png;base64" in (tmp_path / "on.svg").read_text(encoding="utf-8")
    result = invoke(*args, "-o", "off.svg", "--no-images", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "data:image" not in (tmp_path / "off.svg").read_text(encoding="utf-8")
