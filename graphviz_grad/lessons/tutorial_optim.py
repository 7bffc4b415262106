# -*- coding: utf-8 -*-
"""The two-layer net as nn.Sequential, trained by optim.Adam (lr 1e-4).

"Learning PyTorch with Examples" (2017), the sixth program. As the tutorial
writes it, with only the import changed and a seed added; ``steps`` is its loop
count, ``sizes`` its ``N, D_in, H, D_out``.

Run it: ``python -m graphviz_grad.lessons.tutorial_optim``.
"""
import graphviz_grad as torch

STEPS = 500
REPORT_LINES = 0
DEVICES = ("cpu", "cuda")  # vizgrad train --device cuda runs it inside `with torch.device("cuda"):`


def main(steps=STEPS, seed=0, on_step=None, sizes=(64, 1000, 100, 10)):
    torch.manual_seed(seed)

    # N is batch size; D_in is input dimension;
    # H is hidden dimension; D_out is output dimension.
    N, D_in, H, D_out = sizes

    # Create random Tensors to hold inputs and outputs
    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)

    # Use the nn package to define our model and loss function.
    model = torch.nn.Sequential(
        torch.nn.Linear(D_in, H),
        torch.nn.ReLU(),
        torch.nn.Linear(H, D_out),
    )
    loss_fn = torch.nn.MSELoss(reduction='sum')

    # Use the optim package to define an Optimizer that will update the weights of
    # the model for us. Here we will use Adam; the optim package contains many other
    # optimization algoriths. The first argument to the Adam constructor tells the
    # optimizer which Tensors it should update.
    learning_rate = 1e-4
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    for t in range(steps):
        # Forward pass: compute predicted y by passing x to the model.
        y_pred = model(x)

        # Compute and print loss.
        loss = loss_fn(y_pred, y)
        print(t, loss.item())

        # Before the backward pass, use the optimizer object to zero all of the
        # gradients for the variables it will update (which are the learnable
        # weights of the model). This is because by default, gradients are
        # accumulated in buffers( i.e, not overwritten) whenever .backward()
        # is called. Checkout docs of torch.autograd.backward for more details.
        optimizer.zero_grad()

        # Backward pass: compute gradient of the loss with respect to model
        # parameters
        loss.backward()
        if on_step is not None:
            on_step(t, loss.item())

        # Calling the step function on an Optimizer makes an update to its
        # parameters
        optimizer.step()

    return locals()


if __name__ == "__main__":
    main()
