"""The node a module's backward hooks hang on: the identity on one input or output of the call.

``register_full_backward_hook`` and ``register_full_backward_pre_hook`` (see ``nn/hooks.py``) pass each
tensor going into and coming out of the module through one of these, as PyTorch passes them through
``BackwardHookFunction``. In backward the first of a call's nodes to run (the gradients of all its
siblings are in by then: they were made together, and every op that used them after) hands all of
them to its ``side``, which runs the user's hooks once, and each node returns what the hooks left
for its tensor.

>>> import graphviz_grad as vg
>>> layer = vg.nn.Linear(2, 1)
>>> _ = layer.register_full_backward_hook(lambda module, grad_input, grad_output: print(grad_output))
>>> layer(vg.ones(1, 2, requires_grad=True)).sum().backward()
(tensor([[1.]]),)
"""
from ..autograd.function import Op


class BackwardHook(Op):
    """``a`` itself (a view): in backward, the gradient the module's hooks leave for it."""

    name = "backward_hook"
    derivatives = ("grad, as the module's backward hooks leave it",)
    is_view = True
    torch_grad_fn = "BackwardHookFunctionBackward"
    side = None  # the _HookSide of the call (set after apply), and this tensor's place in it
    index = 0

    def forward(self, a):
        return a

    def backward(self, grad):
        side = self.side
        return (grad if side is None else side.grad_for(self, grad),)
