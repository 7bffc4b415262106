"""The 60-minute blitz, "Training a Classifier": the CIFAR-style CNN, on the built-in 32×32 shapes.

PyTorch's tutorial (github.com/pytorch/tutorials, beginner_source/blitz/
cifar10_tutorial.py) with only the import changed and the built-in shapes
(10 classes, 3×32×32, values in [-1, 1] as the page's ``Normalize`` leaves
CIFAR-10) in a ``TensorDataset`` instead of torchvision's download. Shuffling
uses a seeded ``generator=``. ``steps`` is the number of training minibatches
of 4 over the page's 2 epochs (the training set holds ``2 * steps`` images).
The trained weights are saved to ``PATH`` (``vizgrad train`` gives it a
temporary folder) and loaded back.

Run it: ``python -m graphviz_grad.lessons.blitz_cifar``.
"""
import graphviz_grad as torch
import graphviz_grad.nn as nn
import graphviz_grad.nn.functional as F
import graphviz_grad.optim as optim
from graphviz_grad.utils.data import DataLoader, TensorDataset
from graphviz_grad.datasets import SHAPE_CLASSES, shapes

STEPS = 2000
REPORT_LINES = 11  # the last lines printed: the accuracy, then the accuracy of each class


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1) # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def main(steps=STEPS, seed=0, on_step=None, PATH='./cifar_net.pth'):
    torch.manual_seed(seed)

    batch_size = 4

    train_images, train_labels = shapes(2 * steps, seed=seed)
    test_images, test_labels = shapes(1000, seed=seed + 1)
    trainset = TensorDataset(torch.from_numpy(train_images), torch.from_numpy(train_labels))
    trainloader = DataLoader(trainset, batch_size=batch_size,
                             shuffle=True, generator=torch.Generator().manual_seed(seed))
    testset = TensorDataset(torch.from_numpy(test_images), torch.from_numpy(test_labels))
    testloader = DataLoader(testset, batch_size=batch_size, shuffle=False)

    classes = SHAPE_CLASSES

    net = Net()

    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

    step = 0
    for epoch in range(2):  # loop over the dataset multiple times

        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            # get the inputs; data is a list of [inputs, labels]
            inputs, labels = data

            # zero the parameter gradients
            optimizer.zero_grad()

            # forward + backward + optimize
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            if on_step is not None:
                on_step(step, loss.item())
            step += 1

            # print statistics
            running_loss += loss.item()
            if i % 200 == 199:    # print every 200 mini-batches
                print(f'[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 200:.3f}')
                running_loss = 0.0

    print('Finished Training')

    torch.save(net.state_dict(), PATH)

    dataiter = iter(testloader)
    images, labels = next(dataiter)
    print('GroundTruth: ', ' '.join(f'{classes[labels[j]]:5s}' for j in range(4)))

    net = Net()
    net.load_state_dict(torch.load(PATH, weights_only=True))

    outputs = net(images)
    _, predicted = torch.max(outputs, 1)
    print('Predicted: ', ' '.join(f'{classes[predicted[j]]:5s}' for j in range(4)))

    correct = 0
    total = 0
    # since we're not training, we don't need to calculate the gradients for our outputs
    with torch.no_grad():
        for data in testloader:
            images, labels = data
            # calculate outputs by running images through the network
            outputs = net(images)
            # the class with the highest energy is what we choose as prediction
            _, predicted = torch.max(outputs, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()

    print(f'Accuracy of the network on the {total} test images: {100 * correct // total} %')

    # prepare to count predictions for each class
    correct_pred = {classname: 0 for classname in classes}
    total_pred = {classname: 0 for classname in classes}

    # again no gradients needed
    with torch.no_grad():
        for data in testloader:
            images, labels = data
            outputs = net(images)
            _, predictions = torch.max(outputs, 1)
            # collect the correct predictions for each class
            for label, prediction in zip(labels, predictions):
                if label == prediction:
                    correct_pred[classes[label]] += 1
                total_pred[classes[label]] += 1

    # print accuracy for each class
    for classname, correct_count in correct_pred.items():
        accuracy = 100 * float(correct_count) / total_pred[classname]
        print(f'Accuracy for class: {classname:5s} is {accuracy:.1f} %')

    return locals()


if __name__ == "__main__":
    main()
