"""``optim.Adam`` (and AMSGrad): PyTorch's single-tensor Adam, operation for operation.

>>> import graphviz_grad as vg
>>> w = vg.tensor([1.0, -1.0], requires_grad=True)
>>> opt = vg.optim.Adam([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step()
>>> [round(v, 4) for v in w.tolist()]
[0.9, -0.9]
"""
import numpy as np

from ..backend import xp_of
from ..tensor import Tensor
from .optimizer import Optimizer
from .sgd import _check_unsupported


def _zeros_like(param):
    return Tensor._make(xp_of(param._data).zeros_like(param._data))


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_unsupported(differentiable)
        defaults = {"lr": lr, "betas": tuple(float(b) for b in betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _init_state(self, state, param, amsgrad):
        state["step"] = Tensor._make(np.zeros((), dtype=np.float32))
        state["exp_avg"] = _zeros_like(param)
        state["exp_avg_sq"] = _zeros_like(param)
        if amsgrad:
            state["max_exp_avg_sq"] = _zeros_like(param)

    def _rule(self, group, state):
        beta1, beta2 = group["betas"]
        step = int(float(state["step"]._data)) + 1 if "step" in state else 1
        lines, hyper = [], {"lr": group["lr"], "β1": beta1, "β2": beta2, "ε": group["eps"]}
        if group["maximize"]:
            lines.append("g ← −g")
        if group["weight_decay"]:
            lines.append("w ← w·(1 − lr·λ)" if group["decoupled_weight_decay"] else "g ← g + λ·w")
            hyper["λ"] = group["weight_decay"]
        lines += ["m ← β1·m + (1−β1)·g", "v ← β2·v + (1−β2)·g²"]
        symbols = {"g": "grad", "m": "exp_avg", "v": "exp_avg_sq"}
        if group["amsgrad"]:
            lines.append("v̂ ← max(v̂, v)")
            symbols["v̂"] = "max_exp_avg_sq"
            lines.append(f"w ← w − lr·(m/(1−β1^t)) / (√(v̂/(1−β2^t)) + ε)")
        else:
            lines.append(f"w ← w − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)")
        hyper["t"] = step
        return lines, hyper, symbols

    def _update(self, p, grad, group, math):
        # PyTorch's _single_tensor_adam, step for step.
        beta1, beta2 = group["betas"]
        lr, weight_decay = float(group["lr"]), group["weight_decay"]
        state = self.state[p]
        if not state:
            self._init_state(state, p, group["amsgrad"])
        step_t = state["step"]
        step_t._writable()[...] += 1  # bookkeeping, not drawn
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                math.mul_(p, 1 - lr * weight_decay)
            else:
                grad = math.scaled_add(grad, p, weight_decay)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        math.lerp_(exp_avg, grad, 1 - beta1)
        math.mul_(exp_avg_sq, beta2)
        math.addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
        step = float(step_t._data)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        if group["amsgrad"]:
            math.maximum_(state["max_exp_avg_sq"], exp_avg_sq)
            denom = math.sqrt_div_add(state["max_exp_avg_sq"], bias_correction2_sqrt, group["eps"])
        else:
            denom = math.sqrt_div_add(exp_avg_sq, bias_correction2_sqrt, group["eps"])
        math.addcdiv_(p, exp_avg, denom, -step_size)
