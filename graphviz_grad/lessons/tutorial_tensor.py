"""The two-layer net on tensors, backprop still written by hand.

"Learning PyTorch with Examples" (2017), the second program: the NumPy network
of ``tutorial_numpy`` with tensors instead of arrays. As the tutorial writes it,
with only the import changed and a seed added; ``steps`` is its loop count,
``sizes`` its ``N, D_in, H, D_out``, ``device`` where its tensors live.

Run it: ``python -m graphviz_grad.lessons.tutorial_tensor``.
"""
import graphviz_grad as torch

STEPS = 500
REPORT_LINES = 0
WEIGHTS = ("w1", "w2")  # what --save saves: the program's weights (they do not require grad)


def main(steps=STEPS, seed=0, on_step=None, sizes=(64, 1000, 100, 10), device="cpu"):
    torch.manual_seed(seed)

    dtype = torch.float
    device = torch.device(device)
    # device = torch.device("cuda:0") # Uncomment this to run on GPU

    # N is batch size; D_in is input dimension;
    # H is hidden dimension; D_out is output dimension.
    N, D_in, H, D_out = sizes

    # Create random input and output data
    x = torch.randn(N, D_in, device=device, dtype=dtype)
    y = torch.randn(N, D_out, device=device, dtype=dtype)

    # Randomly initialize weights
    w1 = torch.randn(D_in, H, device=device, dtype=dtype)
    w2 = torch.randn(H, D_out, device=device, dtype=dtype)

    learning_rate = 1e-6
    for t in range(steps):
        # Forward pass: compute predicted y
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)

        # Compute and print loss
        loss = (y_pred - y).pow(2).sum().item()
        print(t, loss)
        if on_step is not None:
            on_step(t, loss)

        # Backprop to compute gradients of w1 and w2 with respect to loss
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)

        # Update weights using gradient descent
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2

    return locals()


if __name__ == "__main__":
    main()
