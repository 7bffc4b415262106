"""Fitting sin(x) with a cubic on tensors, the gradients still written by hand.

The program itself is graphviz_grad/lessons/polynomial_tensor.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python polynomial_tensor.py
"""
from graphviz_grad.lessons import polynomial_tensor

polynomial_tensor.main()
