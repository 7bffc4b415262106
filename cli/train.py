"""``vizgrad train EXAMPLE``: run a tutorial network with a live loss; plot it, draw it, save it."""
import enum
from pathlib import Path

import typer

from .errors import CliError, Interrupted  # noqa: F401  (Interrupted: Ctrl-C, exit status 130)

GRAPH_SUFFIXES = (".svg", ".png", ".pdf", ".dot", ".gv", ".json", ".html", ".gif")
PLOT_SUFFIXES = (".png", ".svg", ".pdf")
# the examples whose loss is a plain number (NumPy, .item(), or computed under no_grad): nothing recorded to draw
NO_GRAPH = {"numpy", "tensor", "sin-numpy", "sin-tensor", "makemore-backprop"}


class Device(str, enum.Enum):
    cpu = "cpu"
    cuda = "cuda"


def train(
    example: str = typer.Argument(..., metavar="EXAMPLE", help="Which network (see: vizgrad examples)."),
    steps: int = typer.Option(None, "--steps", min=1, max=1_000_000, show_default=False,
                              help="Training steps [default: the tutorial's own, e.g. 500]."),
    seed: int = typer.Option(None, "--seed", show_default=False,
                             help="Seed of the random data and weights [default: 0, or the lesson author's]."),
    device: Device = typer.Option(Device.cpu, "--device", help="cpu, or cuda (needs CuPy and a GPU)."),
    plot: Path = typer.Option(None, "--plot", help="Write a plot of the loss per step (PNG, SVG or PDF by suffix)."),
    graph: Path = typer.Option(None, "--graph", help="Draw the last step's graph (svg, png, pdf, dot, json, html by suffix)."),
    save: Path = typer.Option(None, "--save", help="Save the trained weights (graphviz_grad.save, no pickle)."),
):
    """Train a tutorial network with a live loss; plot, draw or save it."""
    from . import examples_cmd
    from .outputs import Outputs, check_distinct, check_writable

    chosen = examples_cmd.get(example)
    for path in (plot, graph, save):
        if path is not None:
            check_writable(path)
    check_distinct([("--plot", plot), ("--graph", graph), ("--save", save)])
    if plot is not None and plot.suffix.lower() not in PLOT_SUFFIXES:
        raise CliError(f"--plot {plot}: use a .png, .svg or .pdf file name")
    if graph is not None:  # refused before training, not after it
        if graph.suffix.lower() not in GRAPH_SUFFIXES:
            raise CliError(f"--graph {graph}: use a file name ending in {', '.join(GRAPH_SUFFIXES)}")
        if example in NO_GRAPH:
            raise CliError(f"{example} computes its loss in plain NumPy or as a number, without a graph, so "
                           f"--graph has nothing to draw; try 'vizgrad train autograd --graph {graph}'")
    _check_device(device.value)

    wanted = [str(path) for path in (plot, graph, save) if path is not None]
    if seed is None:
        seed = getattr(chosen, "default_seed", 0)  # a lesson's own seed (makemore's 2147483647, gpt's 1337)
    result, losses = _run(chosen, example, steps or chosen.default_steps, seed, device.value, wanted)

    with Outputs() as out:
        if plot is not None:
            from .plot import plot_training

            plot_training(example, losses, result, out.file(plot))
        if graph is not None:
            from .drawing import call

            if result.loss is None:
                raise CliError(f"{example} computes its loss without a graph (NumPy), so there is no graph to draw")
            call("render", result.loss, out.file(graph))
        if save is not None:
            import graphviz_grad as vg

            vg.save(result.state_dict(), out.file(save))
    first, last = losses[0], losses[-1]
    print(f"{example}: {len(losses)} steps, loss {first:.6g} -> {last:.6g}")
    for line in getattr(result, "report", ()):  # a lesson's last lines: sampled names or text, accuracy
        print(line)
    for path in out.written:
        print(f"wrote {path}")


def _check_device(device):
    if device == "cuda":
        import graphviz_grad as vg

        if not vg.cuda.is_available():
            raise CliError("--device cuda needs CuPy and a CUDA GPU, and none is available here; use --device cpu")


def _run(example, name, steps, seed, device, wanted=()):
    """Run the example with a rich progress bar; returns (result, per-step losses).

    Ctrl-C stops it with :class:`Interrupted` naming the steps done (``wanted``: the
    files that are then not written, all or nothing as for any failure).
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    losses = []
    columns = (TextColumn(f"{name}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn())
    console = Console(stderr=True)  # stdout stays clean for the summary; the bar shows on terminals only
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(name, total=steps, loss="-")

        def on_step(step, loss):
            losses.append(float(loss))
            progress.update(task, completed=len(losses), loss=f"{float(loss):.6g}")

        import matplotlib

        matplotlib.use("Agg")  # a lesson that plots (linear regression) writes its figure, never opens a window
        try:
            result = example.run(steps=steps, seed=seed, device=device, on_step=on_step)
        except KeyboardInterrupt:
            done = f", last loss {losses[-1]:.6g}" if losses else ""
            skipped = f"; not written: {', '.join(wanted)}" if wanted else ""
            raise Interrupted(f" after {len(losses)} of {steps} steps{done}{skipped}") from None
        except CliError:
            raise
        except Exception as e:
            raise CliError(f"training {name} failed: {e}") from e
    if not losses:
        raise CliError(f"training {name} made no step")
    return result, losses
