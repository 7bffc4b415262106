"""``vizgrad docs OUT_DIR``: regenerate every documentation diagram, deterministically.

:data:`DIAGRAMS` is the list the documentation uses: each entry names a file
(or a folder, for step frames) under ``OUT_DIR`` and what it draws, either an
expression of ``vizgrad render`` with its inputs, or the last step of a
tutorial network. Same entries and seed, byte-identical DOT.
"""
import dataclasses
from pathlib import Path

import typer


@dataclasses.dataclass(frozen=True)
class Diagram:
    """One documentation diagram: ``path`` under OUT_DIR, drawn from ``expression`` or ``example``."""

    path: str  # a file name (format by suffix), or a folder name ending in "/" for step frames
    expression: str = ""
    values: tuple = ()  # ("x=1", "w=2", ...)
    example: str = ""  # a tutorial network: its last training step is drawn
    steps: int = 2  # training steps for an example
    options: tuple = ()  # (("level", "scalar"), ("rankdir", "LR"), ...)
    backward: bool = True


DIAGRAMS = (
    Diagram("chain-rule.svg", "y = w*x + b", ("x=1", "w=2", "b=3")),
    Diagram("chain-rule-forward.svg", "y = w*x + b", ("x=1", "w=2", "b=3"), backward=False),
    Diagram("chain-rule-steps/", "y = w*x + b", ("x=1", "w=2", "b=3")),
    Diagram("chain-rule.html", "y = w*x + b", ("x=1", "w=2", "b=3")),
    Diagram("neuron.svg", "h = w @ x + b; y = tanh(h)", ("w=[[0.5, -1.0]]", "x=[[2.0], [1.0]]", "b=[[0.25]]")),
    Diagram("neuron-scalar.svg", "h = w @ x + b; y = tanh(h)", ("w=[[0.5, -1.0]]", "x=[[2.0], [1.0]]", "b=[[0.25]]"),
            options=(("level", "scalar"),)),
    Diagram("repeated-input.svg", "b = a + a; c = b + b", ("a=3",)),
    Diagram("two-layer.svg", "h = relu(x @ w1); y = sum((h @ w2 - t) ** 2)",
            ("x=randn(4, 3)", "w1=randn(3, 5)", "w2=randn(5, 2)", "t=randn(4, 2)")),
    Diagram("softmax.svg", "p = softmax(z, 0); loss = -log(p[1])", ("z=[1.0, 2.0, 0.5]",)),
    Diagram("clamp-relu.svg", "y = sum(clamp(x, min=0) * 2)", ("x=[-1.0, 0.5, 2.0]",)),
    Diagram("nn-module.svg", example="nn", options=(("level", "module"),)),
    Diagram("custom-function.svg", example="custom-function"),
    Diagram("linear-regression.svg", example="linear-regression"),
)


def docs(out_dir: Path = typer.Argument(..., metavar="OUT_DIR", help="Folder to write the diagrams into.")):
    """Regenerate every documentation diagram into a folder."""
    from .outputs import check_writable

    check_writable(out_dir, "folder")
    written = []
    for diagram in DIAGRAMS:
        written += build(diagram, out_dir)
    for path in written:
        print(f"wrote {path}")


def build(diagram, out_dir, seed=0):
    """Draw one :class:`Diagram` under ``out_dir``; returns the paths written."""
    from . import drawing

    tensor = _example_loss(diagram, seed) if diagram.example else _expression_root(diagram, seed)
    target = Path(out_dir) / diagram.path
    options = dict(diagram.options, backward=diagram.backward)
    if diagram.path.endswith("/"):
        return drawing.draw(tensor, steps=target)
    if target.suffix == ".html":
        return drawing.draw(tensor, html=target)
    if target.suffix == ".gif":
        return drawing.draw(tensor, gif=target)
    return drawing.draw(tensor, target, **options)


def _expression_root(diagram, seed):
    from . import expr, render

    evaluation = expr.evaluate(diagram.expression, render.given_values(diagram.values), seed=seed)
    root, _ = render.run_backward(evaluation, diagram.backward)
    return root


def _example_loss(diagram, seed):
    from . import examples_cmd

    return examples_cmd.get(diagram.example).run(steps=diagram.steps, seed=seed).loss
