"""Fitting sin(x) with a cubic in plain NumPy, the gradients written by hand.

The program itself is graphviz_grad/lessons/polynomial_numpy.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python polynomial_numpy.py
"""
from graphviz_grad.lessons import polynomial_numpy

polynomial_numpy.main()
