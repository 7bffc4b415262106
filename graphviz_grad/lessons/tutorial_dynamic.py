"""DynamicNet (Python control flow, a layer reused) trained by SGD with momentum.

"Learning PyTorch with Examples" (2017), the eighth program. As the tutorial
writes it, with only the import changed and a seed added (for ``random`` too:
seed 0 makes the first forward pass use ``middle_linear`` 3 times); ``steps``
is its loop count, ``sizes`` its ``N, D_in, H, D_out``.

Run it: ``python -m graphviz_grad.lessons.tutorial_dynamic``.
"""
import random
import graphviz_grad as torch

STEPS = 500
REPORT_LINES = 0
DEVICES = ("cpu", "cuda")  # vizgrad train --device cuda runs it inside `with torch.device("cuda"):`


class DynamicNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        """
        In the constructor we construct three nn.Linear instances that we will use
        in the forward pass.
        """
        super(DynamicNet, self).__init__()
        self.input_linear = torch.nn.Linear(D_in, H)
        self.middle_linear = torch.nn.Linear(H, H)
        self.output_linear = torch.nn.Linear(H, D_out)

    def forward(self, x):
        """
        For the forward pass of the model, we randomly choose either 0, 1, 2, or 3
        and reuse the middle_linear Module that many times to compute hidden layer
        representations.

        Since each forward pass builds a dynamic computation graph, we can use normal
        Python control-flow operators like loops or conditional statements when
        defining the forward pass of the model.

        Here we also see that it is perfectly safe to reuse the same Module many
        times when defining a computational graph. This is a big improvement from Lua
        Torch, where each Module could be used only once.
        """
        h_relu = self.input_linear(x).clamp(min=0)
        for _ in range(random.randint(0, 3)):
            h_relu = self.middle_linear(h_relu).clamp(min=0)
        y_pred = self.output_linear(h_relu)
        return y_pred


def main(steps=STEPS, seed=0, on_step=None, sizes=(64, 1000, 100, 10)):
    random.seed(seed)
    torch.manual_seed(seed)

    # N is batch size; D_in is input dimension;
    # H is hidden dimension; D_out is output dimension.
    N, D_in, H, D_out = sizes

    # Create random Tensors to hold inputs and outputs
    x = torch.randn(N, D_in)
    y = torch.randn(N, D_out)

    # Construct our model by instantiating the class defined above
    model = DynamicNet(D_in, H, D_out)

    # Construct our loss function and an Optimizer. Training this strange model with
    # vanilla stochastic gradient descent is tough, so we use momentum
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
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
