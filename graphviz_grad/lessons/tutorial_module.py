# -*- coding: utf-8 -*-
"""The two-layer net as a custom nn.Module (TwoLayerNet), trained by optim.SGD (lr 1e-4).

"Learning PyTorch with Examples" (2017), the seventh program. As the tutorial
writes it, with only the import changed and a seed added; ``steps`` is its loop
count, ``sizes`` its ``N, D_in, H, D_out``.

Run it: ``python -m graphviz_grad.lessons.tutorial_module``.
"""
import graphviz_grad as torch

STEPS = 500
REPORT_LINES = 0
DEVICES = ("cpu", "cuda")  # vizgrad train --device cuda runs it inside `with torch.device("cuda"):`


class TwoLayerNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        """
        In the constructor we instantiate two nn.Linear modules and assign them as
        member variables.
        """
        super(TwoLayerNet, self).__init__()
        self.linear1 = torch.nn.Linear(D_in, H)
        self.linear2 = torch.nn.Linear(H, D_out)

    def forward(self, x):
        """
        In the forward function we accept a Tensor of input data and we must return
        a Tensor of output data. We can use Modules defined in the constructor as
        well as arbitrary operators on Tensors.
        """
        h_relu = self.linear1(x).clamp(min=0)
        y_pred = self.linear2(h_relu)
        return y_pred


def main(steps=STEPS, seed=0, on_step=None, sizes=(64, 1000, 100, 10)):
    torch.manual_seed(seed)

    # N is batch size; D_in is input dimension;
    # H is hidden dimension; D_out is output dimension.
    N, D_in, H, D_out = sizes

    # Create random Tensors to hold inputs and outputs
    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)

    # Construct our model by instantiating the class defined above
    model = TwoLayerNet(D_in, H, D_out)

    # Construct our loss function and an Optimizer. The call to model.parameters()
    # in the SGD constructor will contain the learnable parameters of the two
    # nn.Linear modules which are members of the model.
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
    for t in range(steps):
        # Forward pass: Compute predicted y by passing x to the model
        y_pred = model(x)

        # Compute and print loss
        loss = criterion(y_pred, y)
        print(t, loss.item())

        # Zero gradients, perform a backward pass, and update the weights.
        optimizer.zero_grad()
        loss.backward()
        if on_step is not None:
            on_step(t, loss.item())
        optimizer.step()

    return locals()


if __name__ == "__main__":
    main()
