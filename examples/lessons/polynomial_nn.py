"""Fitting sin(x) with nn: x.unsqueeze(-1).pow(p), Linear(3, 1) and Flatten(0, 1).

The program itself is graphviz_grad/lessons/polynomial_nn.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python polynomial_nn.py
"""
from graphviz_grad.lessons import polynomial_nn

polynomial_nn.main()
