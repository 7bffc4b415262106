"""``vizgrad render "EXPR" [VAR=VALUE ...]``: compute, print value and gradients, draw the graph.

The expression language and its limits are in :mod:`graphviz_grad.cli.expr`.
"""
import enum
from pathlib import Path

import typer

from .errors import CliError

FORMATS = ("svg", "png", "pdf", "dot", "json", "html", "gif")

EXPRESSION_HELP = (
    "Statements separated by ';', e.g. \"h = w*x; y = relu(h) + b\". Allowed: numbers, lists, + - * / ** @, "
    "unary minus, parentheses, x[0] and x[1:] on tensors, and the functions relu tanh sigmoid exp log sqrt abs "
    "neg square sum mean max min clamp(x, min=, max=) softmax log_softmax pow mm matmul dot t transpose reshape "
    "flatten squeeze unsqueeze cat stack maximum minimum add sub mul div randn rand zeros ones tensor. "
    "The same functions as methods: relu(h).sum(), h.mean(0), x.t(), and x.T. "
    "Keywords: dim=, keepdim=, min=, max=. Backward starts from the last assigned variable. "
    "Start with -- if the expression begins with '-'."
)


class Level(str, enum.Enum):
    module = "module"
    tensor = "tensor"
    scalar = "scalar"


class RankDir(str, enum.Enum):
    TB = "TB"
    LR = "LR"
    BT = "BT"
    RL = "RL"


def render(
    expression: str = typer.Argument(..., metavar="EXPR", help=EXPRESSION_HELP, show_default=False),
    values: list[str] = typer.Argument(
        None, metavar="VAR=VALUE", show_default=False,
        help="Inputs: a number (x=1.5), a list (x=[1,2]) or randn/rand/zeros/ones(...) (w=randn(3,4)). "
             "Variables left unset get seeded random scalars.",
    ),
    output: Path = typer.Option(None, "-o", "--output", help="Where to write the diagram [default: <last variable>.svg]."),
    fmt: str = typer.Option(None, "--format", "-f", help=f"Diagram format: {', '.join(FORMATS)} [default: the suffix of -o, else svg]."),
    steps: Path = typer.Option(None, "--steps", help="Also write one frame per forward op and backward step into this folder."),
    html: Path = typer.Option(None, "--html", help="Also write a step-by-step HTML page (next/previous, arrow keys)."),
    gif: Path = typer.Option(None, "--gif", help="Also write an animated GIF of the steps."),
    level: Level = typer.Option(Level.tensor, "--level", help="Detail: one box per module, per tensor op, or per scalar."),
    no_backward: bool = typer.Option(False, "--no-backward", help="Only the forward pass: no gradients."),
    rankdir: RankDir = typer.Option(None, "--rankdir", help="Direction of the drawing: TB, LR, BT or RL [default: the drawing's own]."),
    roll: bool = typer.Option(True, "--roll/--no-roll", help="Draw consecutive calls of one structure once, ×k (--no-roll: each call)."),
    images: bool = typer.Option(True, "--images/--no-images", help="Draw 2-D and 4-D tensors as heatmaps in their nodes."),
    expand: list[str] = typer.Option(None, "--expand", metavar="NAME", help="Draw this module call op by op inside the module-level picture (repeatable)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random values (unset variables, randn)."),
):
    """Compute EXPR, print its value and every input's gradient, and draw its graph."""
    from . import drawing, expr

    diagram, fmt = _diagram_path(output, fmt)
    given = given_values(values or [])
    _check_destinations(diagram, steps, html, gif)

    evaluation = expr.evaluate(expression, given, seed=seed)
    name = evaluation.output_name
    diagram = diagram or Path(f"{name}.{fmt}")
    _check_distinct(diagram, steps, html, gif, label="-o" if output is not None else f"the diagram ({diagram})")
    root, notes = run_backward(evaluation, backward=not no_backward)
    for note in _input_notes(evaluation, seed):
        notes.insert(0, note)

    options = {"level": level.value, "backward": not no_backward, "roll": roll, "images": images}
    if expand:
        options["expand"] = list(expand)
    if rankdir:
        options["rankdir"] = rankdir.value
    written = drawing.draw(root, diagram, steps, html, gif, **options)
    _print_result(evaluation, notes, written, backward=not no_backward,
                  root_name=None if root is evaluation.output else root.name)


def _diagram_path(output, fmt):
    """The diagram's path (None: ``<last variable>.<fmt>``, decided after parsing) and its format."""
    if fmt is not None:
        fmt = fmt.lower().lstrip(".")
        if fmt not in FORMATS:
            raise CliError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if output is None:
        return None, fmt or "svg"
    suffix = output.suffix.lower().lstrip(".")
    if not suffix:
        fmt = fmt or "svg"
        return output.with_name(f"{output.name}.{fmt}"), fmt
    if suffix not in FORMATS:
        raise CliError(f"cannot write {output}: unknown suffix .{suffix}; use one of {', '.join(FORMATS)}")
    if fmt and fmt != suffix:
        raise CliError(f"--format {fmt} does not match the output {output}; give only one of them")
    return output, suffix


def given_values(values):
    from . import expr

    given = {}
    for arg in values:
        name, text = expr.split_assignment(arg)
        if name in given:
            raise CliError(f"{name} is given twice ({name}={given[name]} and {arg})")
        given[name] = text
    return given


def _check_destinations(diagram, steps, html, gif):
    from .outputs import check_writable

    for path, kind in ((diagram, "file"), (steps, "folder"), (html, "file"), (gif, "file")):
        if path is not None:
            check_writable(path, kind)
    for path, suffix in ((html, ".html"), (gif, ".gif")):
        if path is not None and path.suffix.lower() != suffix:
            raise CliError(f"{path} should end in {suffix}")


def _check_distinct(diagram, steps, html, gif, label):
    from .outputs import check_distinct

    check_distinct([(label, diagram), ("--steps", steps), ("--html", html), ("--gif", gif)])


def _input_notes(evaluation, seed):
    notes = []
    if evaluation.random_inputs:
        names = ", ".join(evaluation.random_inputs)
        notes.append(f"not given, so random (seed {seed}): {names}; set them with e.g. "
                     f"{evaluation.random_inputs[0]}=1.5")
    if evaluation.unused:
        notes.append(f"given but not used by the expression: {', '.join(evaluation.unused)}")
    return notes


def run_backward(evaluation, backward):
    """Run backward from the output (summed first when it is not a scalar); returns (drawn tensor, notes)."""
    import warnings

    import numpy as np

    root = evaluation.output
    name = evaluation.output_name
    notes = []
    if not backward:
        return root, notes
    if root.numel() != 1:
        root = root.sum()
        root.name = f"sum({name})"
        notes.append(f"{name} has shape {list(evaluation.output.shape)}, not a scalar: "
                     f"backward starts from sum({name})")
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root.backward()
    except Exception as e:
        raise CliError(f"backward failed: {e}") from e
    return root, notes


def _print_result(evaluation, notes, written, backward, root_name=None):
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from .formatting import format_tensor

    console = Console(highlight=False)
    for note in notes:
        console.print(f"note: {note}", markup=False)
    name = evaluation.output_name
    console.print(f"{name} = {format_tensor(evaluation.output)}", markup=False)
    if evaluation.inputs:
        grad_header = f"∂{root_name or name}/∂input" if backward else "grad"
        table = Table(box=box.SIMPLE_HEAD, show_edge=False)
        table.add_column("input")
        table.add_column("value")
        table.add_column(grad_header)
        for input_name, tensor in evaluation.inputs:
            grad = tensor.grad
            cells = (input_name, format_tensor(tensor), "-" if grad is None else format_tensor(grad))
            table.add_row(*(Text(cell) for cell in cells))
        console.print(table)
    for path in written:
        console.print(f"wrote {path}", markup=False)
