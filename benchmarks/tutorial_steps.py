"""The tutorial's training step, written once for every benchmark that times it.

``autograd_step`` is the autograd program (seed 003): the same code runs on
graphviz_grad and on torch, since both spell it the same. ``array_step`` is the
NumPy program (seed 000), backprop by hand, on NumPy or CuPy (``xp``).
"""


def autograd_step(lib, x, y, w1, w2, lr):
    """One step of the autograd tutorial with ``lib`` (graphviz_grad or torch); returns the loss."""

    def step():
        nonlocal w1, w2  # `w1 -= ...` as the tutorial writes it rebinds the name (to the same tensor)
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with lib.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
        return loss

    return step


def array_step(xp, x, y, w1, w2, lr):
    """One step of the tutorial's hand-written program on arrays of ``xp`` (numpy or cupy)."""

    def step():
        nonlocal w1, w2
        h = x.dot(w1)
        h_relu = xp.maximum(h, 0)
        y_pred = h_relu.dot(w2)
        loss = xp.square(y_pred - y).sum()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T.dot(grad_y_pred)
        grad_h_relu = grad_y_pred.dot(w2.T)
        grad_h = grad_h_relu.copy()
        grad_h[h < 0] = 0
        grad_w1 = x.T.dot(grad_h)
        w1 -= lr * grad_w1
        w2 -= lr * grad_w2
        return loss

    return step
