"""Fitting sin(x) with a cubic using autograd: loss.backward(), the update under no_grad.

The program itself is graphviz_grad/lessons/polynomial_autograd.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python polynomial_autograd.py
"""
from graphviz_grad.lessons import polynomial_autograd

polynomial_autograd.main()
