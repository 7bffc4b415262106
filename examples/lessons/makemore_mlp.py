"""makemore 2: a multilayer perceptron on three letters of context, with an embedding table C[X].

The program itself is graphviz_grad/lessons/makemore_mlp.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python makemore_mlp.py
"""
from graphviz_grad.lessons import makemore_mlp

makemore_mlp.main()
