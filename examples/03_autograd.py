"""The two-layer net with autograd: loss.backward(), the update by hand under no_grad.

The program itself is graphviz_grad/lessons/tutorial_autograd.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 03_autograd.py
"""
from graphviz_grad.lessons import tutorial_autograd

tutorial_autograd.main()
