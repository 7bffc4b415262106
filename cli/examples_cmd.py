"""``vizgrad examples``: the tutorial networks and lessons that ``vizgrad train`` runs, one line each."""


def registry():
    """``graphviz_grad.lessons.LESSONS``: name -> lesson (with ``description`` and ``run``)."""
    from graphviz_grad.lessons import LESSONS

    return LESSONS


def get(name):
    """The example called ``name``, or a one-line error listing the names."""
    from .errors import CliError

    examples = registry()
    if name not in examples:
        raise CliError(f"unknown example {name!r}; choose one of {', '.join(examples)} (see: vizgrad examples)")
    return examples[name]


def examples():
    """List the tutorial networks and lessons that 'vizgrad train' runs."""
    items = registry()
    width = max(len(name) for name in items) + 2
    for name, example in items.items():
        print(f"{name.ljust(width)}{example.description}")
