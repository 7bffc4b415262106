import graphviz_grad as torch

# Autograd computes the gradients for us: nothing to derive by hand
x = torch.tensor(1., requires_grad=True)
w = torch.tensor(2., requires_grad=True)
b = torch.tensor(3., requires_grad=True)

y = w*x+b  # one function: y = 2*1+3

y.backward()

print(x.grad)
print(w.grad)
print(b.grad)
