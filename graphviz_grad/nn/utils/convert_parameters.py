"""A model's parameters as one flat vector and back, as ``torch.nn.utils``.

>>> import graphviz_grad as vg
>>> model = vg.nn.Linear(2, 1)
>>> vec = parameters_to_vector(model.parameters())
>>> vec.shape
graphviz_grad.Size([3])
>>> vector_to_parameters(vg.arange(3.), model.parameters())
>>> model.weight, model.bias
(Parameter containing:
tensor([[0., 1.]], requires_grad=True), Parameter containing:
tensor([2.], requires_grad=True))
"""
from ... import _functions
from ...tensor import Tensor
from ..module import _typename


def _same_device(param, device):
    """``param``'s device, after checking it is ``device`` (None: the first parameter's), as PyTorch."""
    if device is not None and param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return param.device


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one 1-D tensor (in the graph: gradients flow back)."""
    device = None
    flat = []
    for param in parameters:
        device = _same_device(param, device)
        flat.append(param.view(-1))
    return _functions.cat(flat)


def vector_to_parameters(vec, parameters):
    """Give each parameter, in order, the next ``numel()`` values of ``vec`` as its ``.data`` (a view of
    ``vec``, as PyTorch's: writing to one changes the other)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    device = None
    pointer = 0
    for param in parameters:
        device = _same_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
