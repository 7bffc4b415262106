"""The 60-minute blitz, "Neural Networks": LeNet with Conv2d and max_pool2d, then trained on shapes.

The program itself is graphviz_grad/lessons/blitz_lenet.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python blitz_lenet.py
"""
from graphviz_grad.lessons import blitz_lenet

blitz_lenet.main()
