"""DynamicNet (Python control flow, a layer reused) trained by SGD with momentum.

The program itself is graphviz_grad/lessons/tutorial_dynamic.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python 08_dynamic.py
"""
from graphviz_grad.lessons import tutorial_dynamic

tutorial_dynamic.main()
