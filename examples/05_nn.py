"""The two-layer net as nn.Sequential with MSELoss, the weights updated by hand under no_grad.

The program itself is graphviz_grad/lessons/tutorial_nn.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 05_nn.py
"""
from graphviz_grad.lessons import tutorial_nn

tutorial_nn.main()
