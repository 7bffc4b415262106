"""Linear regression y = w·x + b on 15 toy points, with SGD.

The seed tutorial's linear regression: ``nn.Linear(1, 1)``, ``MSELoss``, SGD
with learning rate 0.001, 60 epochs. As it is written, with only the imports
changed and a seed added; ``steps`` is its ``num_epochs``. It plots the fit
(to ``FIGURE`` when matplotlib has no display) and saves the model to ``PATH``
(``vizgrad train`` gives both temporary files).

Run it: ``python -m graphviz_grad.lessons.tutorial_linear_regression``.
"""
import graphviz_grad as torch
import graphviz_grad.nn as nn
import numpy as np
import matplotlib.pyplot as plt

STEPS = 60
REPORT_LINES = 0


def main(steps=STEPS, seed=0, on_step=None, PATH='model.ckpt', FIGURE='linear_regression.png'):
    torch.manual_seed(seed)

    # Hyper-parameters
    input_size = 1
    output_size = 1
    num_epochs = steps
    learning_rate = 0.001

    # Toy dataset
    x_train = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168], 
                        [9.779], [6.182], [7.59], [2.167], [7.042], 
                        [10.791], [5.313], [7.997], [3.1]], dtype=np.float32)

    y_train = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573], 
                        [3.366], [2.596], [2.53], [1.221], [2.827], 
                        [3.465], [1.65], [2.904], [1.3]], dtype=np.float32)

    # Linear regression model
    model = nn.Linear(input_size, output_size)

    # Loss and optimizer
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)  

    # Train the model
    for epoch in range(num_epochs):
        # Convert numpy arrays to torch tensors
        inputs = torch.from_numpy(x_train)
        targets = torch.from_numpy(y_train)

        # Forward pass
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        
        # Backward and optimize
        optimizer.zero_grad()
        loss.backward()
        if on_step is not None:
            on_step(epoch, loss.item())
        optimizer.step()
        
        if (epoch+1) % 5 == 0:
            print ('Epoch [{}/{}], Loss: {:.4f}'.format(epoch+1, num_epochs, loss.item()))

    # Plot the graph
    predicted = model(torch.from_numpy(x_train)).detach().numpy()
    plt.plot(x_train, y_train, 'ro', label='Original data')
    plt.plot(x_train, predicted, label='Fitted line')
    plt.legend()
    # Without a display (matplotlib then picks its non-interactive Agg backend)
    # the plot is saved to a PNG file instead of shown in a window.
    if plt.get_backend().lower() == 'agg':
        plt.savefig(FIGURE)
    else:
        plt.show()

    # Save the model checkpoint
    torch.save(model.state_dict(), PATH)

    return locals()


if __name__ == "__main__":
    main()
