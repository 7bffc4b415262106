"""Softmax and log-softmax along a dim, computed stably (max subtracted)."""
from ..autograd.function import Op
from ..backend import xp_of


class Softmax(Op):
    name = "softmax"
    derivatives = ("out · (grad - Σ grad·out)",)
    saves_output = True

    def forward(self, a):
        xp = xp_of(a)
        e = xp.exp(a - a.max(axis=self.dim, keepdims=True))
        self.out = e / e.sum(axis=self.dim, keepdims=True)
        return self.out

    def backward(self, grad):
        out = self.out
        return (out * (grad - (grad * out).sum(axis=self.dim, keepdims=True)),)


class LogSoftmax(Op):
    name = "log_softmax"
    derivatives = ("grad - softmax · Σ grad",)
    saves_output = True

    def forward(self, a):
        xp = xp_of(a)
        shifted = a - a.max(axis=self.dim, keepdims=True)
        self.out = shifted - xp.log(xp.exp(shifted).sum(axis=self.dim, keepdims=True))
        return self.out

    def backward(self, grad):
        xp = xp_of(grad)
        return (grad - xp.exp(self.out) * grad.sum(axis=self.dim, keepdims=True),)
