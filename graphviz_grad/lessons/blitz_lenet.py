"""The 60-minute blitz, "Neural Networks": LeNet with ``Conv2d`` and ``max_pool2d``, then trained on shapes.

PyTorch's tutorial (github.com/pytorch/tutorials, beginner_source/blitz/
neural_networks_tutorial.py) with only the import changed: the network, one
forward and backward pass with ``out.backward(torch.randn(1, 10))``, the
loss's ``grad_fn.next_functions``, the update by hand with
``f.data.sub_(f.grad.data * learning_rate)``, then ``optim.SGD``. The page
stops there; this lesson then trains the same ``Net`` with the page's loop on
the built-in shapes in grey (1×32×32, 10 classes) and prints its accuracy.
``steps`` is the number of training minibatches (of 16 images).

Run it: ``python -m graphviz_grad.lessons.blitz_lenet``.
"""
import graphviz_grad as torch
import graphviz_grad.nn as nn
import graphviz_grad.nn.functional as F
import graphviz_grad.optim as optim
from graphviz_grad.datasets import shapes

STEPS = 600
REPORT_LINES = 1  # the last line printed: the accuracy on held-out images


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # Max pooling over a (2, 2) window
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # If the size is a square, you can specify with a single number
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1) # flatten all dimensions except the batch dimension
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def main(steps=STEPS, seed=0, on_step=None, batch_size=16):
    torch.manual_seed(seed)

    net = Net()
    print(net)

    params = list(net.parameters())
    print(len(params))
    print(params[0].size())  # conv1's .weight

    input = torch.randn(1, 1, 32, 32)
    out = net(input)
    print(out)

    net.zero_grad()
    out.backward(torch.randn(1, 10))

    output = net(input)
    target = torch.randn(10)  # a dummy target, for example
    target = target.view(1, -1)  # make it the same shape as output
    criterion = nn.MSELoss()

    loss = criterion(output, target)
    print(loss)

    print(loss.grad_fn)  # MSELoss
    print(loss.grad_fn.next_functions[0][0])  # Linear
    print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # ReLU

    net.zero_grad()     # zeroes the gradient buffers of all parameters

    print('conv1.bias.grad before backward')
    print(net.conv1.bias.grad)

    loss.backward()

    print('conv1.bias.grad after backward')
    print(net.conv1.bias.grad)

    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)

    # create your optimizer
    optimizer = optim.SGD(net.parameters(), lr=0.01)

    # in your training loop:
    optimizer.zero_grad()   # zero the gradient buffers
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()    # Does the update

    # The page's training loop, on the built-in shapes: 10 classes, grey 32x32 images
    images, labels = shapes(steps * batch_size + 500, seed=seed, channels=1)
    inputs_all, labels_all = torch.from_numpy(images), torch.from_numpy(labels)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    for i in range(steps):
        inputs = inputs_all[i * batch_size:(i + 1) * batch_size]
        targets = labels_all[i * batch_size:(i + 1) * batch_size]
        optimizer.zero_grad()   # zero the gradient buffers
        output = net(inputs)
        loss = criterion(output, targets)
        loss.backward()
        optimizer.step()    # Does the update
        if on_step is not None:
            on_step(i, loss.item())

    with torch.no_grad():
        outputs = net(inputs_all[steps * batch_size:])
        _, predicted = torch.max(outputs, 1)
        correct = (predicted == labels_all[steps * batch_size:]).sum().item()
    accuracy = 100 * correct // 500
    print(f'Accuracy of the network on the 500 held-out images: {accuracy} %')

    return locals()


if __name__ == "__main__":
    main()
