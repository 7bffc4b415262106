"""Fitting sin(x) with a cubic in plain NumPy, the gradients written by hand.

PyTorch's "Learning PyTorch with Examples", today's edition (github.com/pytorch/
tutorials, beginner_source/examples_tensor/polynomial_numpy.py), with only the import changed and a
seed added so that every run gives the same numbers. It fits ``sin(x)`` on
``[-pi, pi]`` with a third-order polynomial. ``steps`` is its loop count.

Run it: ``python -m graphviz_grad.lessons.polynomial_numpy``.
"""
import math

import numpy as np

STEPS = 2000
REPORT_LINES = 1  # the fitted polynomial


def main(steps=STEPS, seed=0, on_step=None):
    np.random.seed(seed)

    # Create random input and output data
    x = np.linspace(-math.pi, math.pi, 2000)
    y = np.sin(x)

    # Randomly initialize weights
    a = np.random.randn()
    b = np.random.randn()
    c = np.random.randn()
    d = np.random.randn()

    learning_rate = 1e-6
    for t in range(steps):
        # Forward pass: compute predicted y
        # y = a + b x + c x^2 + d x^3
        y_pred = a + b * x + c * x ** 2 + d * x ** 3

        # Compute and print loss
        loss = np.square(y_pred - y).sum()
        if t % 100 == 99:
            print(t, loss)
        if on_step is not None:
            on_step(t, loss)

        # Backprop to compute gradients of a, b, c, d with respect to loss
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()

        # Update weights
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d

    print(f'Result: y = {a} + {b} x + {c} x^2 + {d} x^3')

    return locals()


if __name__ == "__main__":
    main()
