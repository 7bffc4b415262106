"""The two-layer net whose ReLU is a custom autograd Function (MyReLU).

"Learning PyTorch with Examples" (2017), the fourth program. As the tutorial
writes it, with only the import changed and a seed added; ``steps`` is its loop
count, ``sizes`` its ``N, D_in, H, D_out``, ``device`` where its tensors live.

Run it: ``python -m graphviz_grad.lessons.tutorial_custom_function``.
"""
import graphviz_grad as torch

STEPS = 500
REPORT_LINES = 0


class MyReLU(torch.autograd.Function):
  """
  We can implement our own custom autograd Functions by subclassing
  torch.autograd.Function and implementing the forward and backward passes
  which operate on Tensors.
  """
  @staticmethod
  def forward(ctx, x):
    """
    In the forward pass we receive a context object and a Tensor containing the
    input; we must return a Tensor containing the output, and we can use the
    context object to cache objects for use in the backward pass.
    """
    ctx.save_for_backward(x)
    return x.clamp(min=0)

  @staticmethod
  def backward(ctx, grad_output):
    """
    In the backward pass we receive the context object and a Tensor containing
    the gradient of the loss with respect to the output produced during the
    forward pass. We can retrieve cached data from the context object, and must
    compute and return the gradient of the loss with respect to the input to the
    forward function.
    """
    x, = ctx.saved_tensors
    grad_x = grad_output.clone()
    grad_x[x < 0] = 0
    return grad_x


def main(steps=STEPS, seed=0, on_step=None, sizes=(64, 1000, 100, 10), device="cpu"):
    torch.manual_seed(seed)

    dtype = torch.float
    device = torch.device(device)
    # device = torch.device("cuda:0") # Uncomment this to run on GPU

    # N is batch size; D_in is input dimension;
    # H is hidden dimension; D_out is output dimension.
    N, D_in, H, D_out = sizes

    # Create random Tensors to hold input and output.
    # requires_grad=False: we do not need gradients with respect to them in backward.
    x = torch.randn(N, D_in, device=device, dtype=dtype)
    y = torch.randn(N, D_out, device=device, dtype=dtype)

    # Create random Tensors for weights.
    # requires_grad=True: we want gradients with respect to them in backward.
    w1 = torch.randn(D_in, H, device=device, dtype=dtype, requires_grad=True)
    w2 = torch.randn(H, D_out, device=device, dtype=dtype, requires_grad=True)

    learning_rate = 1e-6
    for t in range(steps):
        # Forward pass: compute predicted y with Tensor operations,
        # using our custom ReLU
        y_pred = MyReLU.apply(x.mm(w1)).mm(w2)

        # Compute the loss with the forward pass
        loss = (y_pred - y).pow(2).sum()
        print(t, loss.item())

        loss.backward()
        if on_step is not None:
            on_step(t, loss.item())

        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad

            # Manually zero the gradients after updating weights
            w1.grad.zero_()
            w2.grad.zero_()

    return locals()


if __name__ == "__main__":
    main()
