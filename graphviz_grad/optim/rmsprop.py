"""``optim.RMSprop``: divide the gradient by a running root-mean-square of past gradients.

>>> import graphviz_grad as vg
>>> w = vg.tensor([1.0, -1.0], requires_grad=True)
>>> opt = vg.optim.RMSprop([w], lr=0.01)
>>> (w * w).sum().backward(); opt.step()
>>> [round(v, 4) for v in w.tolist()]
[0.9, -0.9]
"""
import numpy as np

from ..tensor import Tensor
from .adam import _zeros_like
from .optimizer import Optimizer
from .sgd import _check_unsupported


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_unsupported(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _update(self, p, grad, group, math):
        # PyTorch's _single_tensor_rmsprop, step for step.
        state = self.state[p]
        if not state:
            state["step"] = Tensor._make(np.zeros((), dtype=np.float32))
            state["square_avg"] = _zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = _zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = _zeros_like(p)
        state["step"]._writable()[...] += 1  # bookkeeping, not drawn
        alpha, eps, momentum = group["alpha"], group["eps"], group["momentum"]
        lr = float(group["lr"])
        if group["weight_decay"] != 0:
            grad = math.scaled_add(grad, p, group["weight_decay"])
        square_avg = state["square_avg"]
        math.mul_(square_avg, alpha)
        math.addcmul_(square_avg, grad, grad, 1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            math.lerp_(grad_avg, grad, 1 - alpha)
            avg = math.addcmul(square_avg, grad_avg, grad_avg, -1, keep=(grad,))
            avg = math.sqrt_div_add(avg, 1, eps, keep=(grad,))
        else:
            avg = math.sqrt_div_add(square_avg, 1, eps, keep=(grad,))
        if momentum > 0:
            buf = state["momentum_buffer"]
            math.mul_(buf, momentum)
            math.addcdiv_(buf, grad, avg, 1)
            math.add_scaled_(p, buf, -lr)
        else:
            math.addcdiv_(p, grad, avg, -lr)
