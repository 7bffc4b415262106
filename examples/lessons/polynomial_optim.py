"""Fitting sin(x) with nn and an optimizer: optim.RMSprop.

The program itself is graphviz_grad/lessons/polynomial_optim.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python polynomial_optim.py
"""
from graphviz_grad.lessons import polynomial_optim

polynomial_optim.main()
