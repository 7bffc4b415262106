"""Fitting sin(x) with a custom nn.Module, Polynomial3, and its string().

The program itself is graphviz_grad/lessons/polynomial_module.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python polynomial_module.py
"""
from graphviz_grad.lessons import polynomial_module

polynomial_module.main()
