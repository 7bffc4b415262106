"""The two-layer net in plain NumPy, backprop written by hand (no graphviz_grad at all).

"Learning PyTorch with Examples" (2017), the first program: a fully connected
ReLU network with one hidden layer, no biases, trained to predict ``y`` from
``x`` by minimizing the squared error. As the tutorial writes it, with a seed
added so that every run gives the same numbers; ``steps`` is its loop count,
``sizes`` its ``N, D_in, H, D_out``.

Run it: ``python -m graphviz_grad.lessons.tutorial_numpy``.
"""
import numpy as np

STEPS = 500
REPORT_LINES = 0
WEIGHTS = ("w1", "w2")  # what --save saves: the program's weights (they do not require grad)


def main(steps=STEPS, seed=0, on_step=None, sizes=(64, 1000, 100, 10)):
    np.random.seed(seed)

    # N is batch size; D_in is input dimension;
    # H is hidden dimension; D_out is output dimension.
    N, D_in, H, D_out = sizes

    # Create random input and output data
    x = np.random.randn(N, D_in)
    y = np.random.randn(N, D_out)

    # Randomly initialize weights
    w1 = np.random.randn(D_in, H)
    w2 = np.random.randn(H, D_out)

    learning_rate = 1e-6
    for t in range(steps):
        # Forward pass: compute predicted y
        h = x.dot(w1)
        h_relu = np.maximum(h, 0)
        y_pred = h_relu.dot(w2)

        # Compute and print loss
        loss = np.square(y_pred - y).sum()
        print(t, loss)
        if on_step is not None:
            on_step(t, loss)

        # Backprop to compute gradients of w1 and w2 with respect to loss
        # loss = (y_pred - y) ** 2
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.T.dot(grad_y_pred)
        grad_h_relu = grad_y_pred.dot(w2.T)
        grad_h = grad_h_relu.copy()
        grad_h[h < 0] = 0
        grad_w1 = x.T.dot(grad_h)

        # Update weights
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2

    return locals()


if __name__ == "__main__":
    main()
