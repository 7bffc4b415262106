"""The 60-minute blitz, "Training a Classifier": the CIFAR-style CNN, on the built-in 32×32 shapes.

The program itself is graphviz_grad/lessons/blitz_cifar.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python blitz_cifar.py
"""
from graphviz_grad.lessons import blitz_cifar

blitz_cifar.main()
