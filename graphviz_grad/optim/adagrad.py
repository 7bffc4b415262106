"""``optim.Adagrad``: each weight's step shrinks with the sum of its past squared gradients.

>>> import graphviz_grad as vg
>>> w = vg.tensor([1.0, -1.0], requires_grad=True)
>>> opt = vg.optim.Adagrad([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step()
>>> [round(v, 4) for v in w.tolist()]
[0.9, -0.9]
"""
import numpy as np

from ..tensor import Tensor
from .adam import _zeros_like
from .optimizer import Optimizer
from .sgd import _check_unsupported


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        for name, value in (("learning rate", lr), ("lr_decay value", lr_decay),
                            ("weight_decay value", weight_decay),
                            ("initial_accumulator_value value", initial_accumulator_value), ("epsilon value", eps)):
            if not 0.0 <= value:
                raise ValueError(f"Invalid {name}: {value}")
        _check_unsupported(differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:  # as PyTorch: the state exists from the start, not at the first step
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        state = self.state[p]
        state["step"] = Tensor._make(np.zeros((), dtype=np.float32))
        state["sum"] = _zeros_like(p)
        if group["initial_accumulator_value"]:
            state["sum"]._writable()[...] = group["initial_accumulator_value"]

    def _rule(self, group, state):
        lines, hyper = [], {"lr": group["lr"], "ε": group["eps"]}
        symbols = {"g": "grad", "s": "sum"}
        if group["maximize"]:
            lines.append("g ← −g")
        if group["weight_decay"]:
            lines.append("g ← g + λ·w")
            hyper["λ"] = group["weight_decay"]
        lines.append("s ← s + g²")
        if group["lr_decay"]:
            lines.append("w ← w − lr / (1 + (t−1)·η) · g / (√s + ε)")
            hyper["η"] = group["lr_decay"]
        else:
            lines.append("w ← w − lr·g / (√s + ε)")
        return lines, hyper, symbols

    def _update(self, p, grad, group, math):
        # PyTorch's _single_tensor_adagrad, step for step.
        state = self.state[p]
        if not state:  # a parameter group added after construction
            self._init_state(p, group)
        state["step"]._writable()[...] += 1  # bookkeeping, not drawn
        step = float(state["step"].item())
        if group["weight_decay"] != 0:
            grad = math.scaled_add(grad, p, group["weight_decay"])
        clr = float(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        math.addcmul_(state["sum"], grad, grad, 1)
        std = math.sqrt_div_add(state["sum"], 1, group["eps"], keep=(grad,))
        math.addcdiv_(p, grad, std, -clr)
