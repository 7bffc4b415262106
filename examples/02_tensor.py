"""The two-layer net on tensors, backprop still written by hand.

The program itself is graphviz_grad/lessons/tutorial_tensor.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 02_tensor.py
"""
from graphviz_grad.lessons import tutorial_tensor

tutorial_tensor.main()
