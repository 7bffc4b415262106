"""Fitting sin(x) with DynamicNet: a random number of terms per forward pass, the parameter e reused.

The program itself is graphviz_grad/lessons/dynamic_net.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python dynamic_net.py
"""
from graphviz_grad.lessons import dynamic_net

dynamic_net.main()
