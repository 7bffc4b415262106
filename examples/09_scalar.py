"""y = w*x + b on three scalars: one backward pass, the three gradients printed.

The program itself is graphviz_grad/lessons/tutorial_scalar.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 09_scalar.py
"""
from graphviz_grad.lessons import tutorial_scalar

tutorial_scalar.main()
