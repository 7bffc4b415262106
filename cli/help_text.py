"""The top-level help of ``vizgrad``, shared by the typer app and the fast ``--help`` path.

``vizgrad --help`` is answered from this text without importing typer, so that
it starts quickly; the typer group prints the very same text, so the two
cannot drift apart.

>>> "render" in main_help() and "--version" in main_help()
True
"""

SUMMARY = (
    "See autograd work: compute an expression or train a tutorial network, and draw\n"
    "  its forward and backward passes."
)
EXAMPLE = 'vizgrad render "y = w*x + b" x=1 w=2 b=3'

COMMANDS = (
    ("render", "Compute an expression, print its value and gradients, draw its graph."),
    ("train", "Train a tutorial network with a live loss; plot, draw or save it."),
    ("examples", "List the tutorial networks that 'vizgrad train' runs."),
    ("docs", "Regenerate every documentation diagram into a folder."),
)

OPTIONS = (
    ("-V, --version", "Show the version and exit."),
    ("--debug", "Show the traceback of an internal error."),
    ("-h, --help", "Show this message and exit."),
)


def _rows(rows):
    width = max(len(name) for name, _ in rows) + 2
    return "".join(f"  {name.ljust(width)}{text}\n" for name, text in rows)


def main_help():
    """The text of ``vizgrad --help``."""
    return (
        "Usage: vizgrad [OPTIONS] COMMAND [ARGS]...\n\n"
        f"  {SUMMARY}\n\n"
        f"  Example: {EXAMPLE}\n"
        "  Help on one command: vizgrad COMMAND --help\n\n"
        f"Options:\n{_rows(OPTIONS)}\n"
        f"Commands:\n{_rows(COMMANDS)}"
    )
