"""``optim.SGD``: gradient descent with optional momentum, Nesterov, weight decay (PyTorch's formulas).

>>> import graphviz_grad as vg
>>> w = vg.tensor([1.0], requires_grad=True)
>>> opt = vg.optim.SGD([w], lr=0.1, momentum=0.9)
>>> for _ in range(2):
...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
>>> w
tensor([0.4600], requires_grad=True)
"""
from .optimizer import Optimizer


def _check_unsupported(differentiable):
    if differentiable:
        raise NotImplementedError("differentiable=True is not supported by graphviz_grad optimizers")


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unsupported(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _rule(self, group, state):
        lines, hyper, symbols = [], {"lr": group["lr"]}, {"g": "grad"}
        if group["maximize"]:
            lines.append("g ← −g")
        if group["weight_decay"]:
            lines.append("g ← g + λ·w")
            hyper["λ"] = group["weight_decay"]
        if group["momentum"]:
            damp = group["dampening"]
            lines.append("m ← μ·m + " + ("(1−τ)·g" if damp else "g") if state.get("momentum_buffer") is not None
                         else "m ← g")
            lines.append("w ← w − lr·(g + μ·m)" if group["nesterov"] else "w ← w − lr·m")
            hyper["μ"] = group["momentum"]
            if damp:
                hyper["τ"] = damp
            symbols["m"] = "momentum_buffer"
        else:
            lines.append("w ← w − lr·g")
        return lines, hyper, symbols

    def _update(self, p, grad, group, math):
        # PyTorch's _single_tensor_sgd, step for step.
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        if weight_decay != 0:
            grad = math.scaled_add(grad, p, weight_decay)
        if momentum != 0:
            state = self.state[p]
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = math.clone(grad)
            else:
                math.mul_(buf, momentum)
                math.add_scaled_(buf, grad, 1 - group["dampening"])
            grad = math.scaled_add(grad, buf, momentum) if group["nesterov"] else buf
        math.add_scaled_(p, grad, -float(group["lr"]))
