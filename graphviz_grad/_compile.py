"""``torch.compile`` without a compiler: the module or function comes back unchanged.

graphviz_grad runs every op eagerly on NumPy, so there is nothing to compile; the
arguments are accepted so that programs written for PyTorch 2 run as they are.

>>> import graphviz_grad as torch
>>> @torch.compile
... def f(x):
...     return x * 2
>>> f(torch.tensor(3.))
tensor(6.)
>>> torch.compile(mode="reduce-overhead")(f) is f
True
"""


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """``model`` itself; without ``model``, a decorator that returns what it decorates."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        # PyTorch's own check is an assert, so its error type is AssertionError
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model
