"""The two-layer net as nn.Sequential, trained by optim.Adam (lr 1e-4).

The program itself is graphviz_grad/lessons/tutorial_optim.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 06_optim.py
"""
from graphviz_grad.lessons import tutorial_optim

tutorial_optim.main()
