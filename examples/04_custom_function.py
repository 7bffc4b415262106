"""The two-layer net whose ReLU is a custom autograd Function (MyReLU).

The program itself is graphviz_grad/lessons/tutorial_custom_function.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 04_custom_function.py
"""
from graphviz_grad.lessons import tutorial_custom_function

tutorial_custom_function.main()
