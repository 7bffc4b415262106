"""Fitting sin(x) with a Legendre polynomial, a custom autograd.Function (LegendrePolynomial3).

The program itself is graphviz_grad/lessons/polynomial_custom_function.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python polynomial_custom_function.py
"""
from graphviz_grad.lessons import polynomial_custom_function

polynomial_custom_function.main()
