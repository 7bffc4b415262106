"""The two-layer net as a custom nn.Module (TwoLayerNet), trained by optim.SGD (lr 1e-4).

The program itself is graphviz_grad/lessons/tutorial_module.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 07_module.py
"""
from graphviz_grad.lessons import tutorial_module

tutorial_module.main()
