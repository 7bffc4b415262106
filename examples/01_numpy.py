"""The two-layer net in plain NumPy, backprop written by hand (no graphviz_grad at all).

The program itself is graphviz_grad/lessons/tutorial_numpy.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 01_numpy.py
"""
from graphviz_grad.lessons import tutorial_numpy

tutorial_numpy.main()
