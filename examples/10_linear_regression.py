"""Linear regression y = w·x + b on 15 toy points, with SGD.

The program itself is graphviz_grad/lessons/tutorial_linear_regression.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 10_linear_regression.py
"""
from graphviz_grad.lessons import tutorial_linear_regression

tutorial_linear_regression.main()
