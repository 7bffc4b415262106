"""The 60-minute blitz, "A Gentle Introduction to torch.autograd": Q.backward(gradient=external_grad).

The program itself is graphviz_grad/lessons/blitz_autograd.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python blitz_autograd.py
"""
from graphviz_grad.lessons import blitz_autograd

blitz_autograd.main()
