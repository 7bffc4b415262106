# A classic beginner's mistake, kept on purpose: this program stops with a
# TypeError on step 1 that explains what went wrong (as PyTorch it raises
# TypeError; unlike PyTorch the message says why and what to write instead).
import graphviz_grad as torch
# 64 inputs of 1000 dimensions, a hidden layer of 100, 10 outputs
N, D_in, H, D_out = 64, 1000, 100, 10

# Create some random training data
x = torch.randn(N, D_in)
y = torch.randn(N, D_out)

w1 = torch.randn(D_in, H, requires_grad=True)
w2 = torch.randn(H, D_out,  requires_grad=True)

# The network maps a 1000-dimensional input vector to a 10-dimensional vector
learning_rate = 1e-6
for t in range(500):
    # forward pass
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    
    # compute loss (squared error, as MSELoss with reduction='sum')
    loss = (y_pred-y).pow(2).sum()
    print(t, loss.item())
    
    # backward pass
    # autograd computes the gradients step by step for us
    loss.backward()
    
    # update weights of w1 and w2
    w1 = w1 - learning_rate * w1.grad
    w2 = w2 - learning_rate * w2.grad
