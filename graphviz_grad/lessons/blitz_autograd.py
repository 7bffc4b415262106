"""The 60-minute blitz, "A Gentle Introduction to torch.autograd": ``Q.backward(gradient=external_grad)``.

PyTorch's tutorial (github.com/pytorch/tutorials, beginner_source/blitz/
autograd_tutorial.py) with only the import changed. Its first example
retrains a torchvision ``resnet18``, which needs a download; it is left out.

Run it: ``python -m graphviz_grad.lessons.blitz_autograd``.
"""
import graphviz_grad as torch

STEPS = 1
REPORT_LINES = 4


def main(steps=STEPS, seed=0, on_step=None):
    torch.manual_seed(seed)

    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)

    Q = 3*a**3 - b**2

    external_grad = torch.tensor([1., 1.])
    Q.backward(gradient=external_grad)

    # Check if collected gradients are correct
    print(9*a**2 == a.grad)
    print(-2*b == b.grad)
    if on_step is not None:
        on_step(0, Q.sum().item())

    x = torch.rand(5, 5)
    y = torch.rand(5, 5)
    z = torch.rand((5, 5), requires_grad=True)

    a = x + y
    print(f"Does `a` require gradients?: {a.requires_grad}")
    b = x + z
    print(f"Does `b` require gradients?: {b.requires_grad}")

    return locals()


if __name__ == "__main__":
    main()
