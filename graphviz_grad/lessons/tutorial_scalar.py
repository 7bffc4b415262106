"""y = w*x + b on three scalars: one backward pass, the three gradients printed.

The smallest autograd program of the seed tutorial's notes. As they write it,
with only the import changed; it has no training loop, so ``main`` takes no
step count.

Run it: ``python -m graphviz_grad.lessons.tutorial_scalar``.
"""
import graphviz_grad as torch


def main():
    # Autograd computes the gradients for us: nothing to derive by hand
    x = torch.tensor(1., requires_grad=True)
    w = torch.tensor(2., requires_grad=True)
    b = torch.tensor(3., requires_grad=True)

    y = w*x+b  # one function: y = 2*1+3

    y.backward()

    print(x.grad)
    print(w.grad)
    print(b.grad)

    return locals()


if __name__ == "__main__":
    main()
