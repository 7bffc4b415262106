"""makemore 4: becoming a backprop ninja. Every gradient of the batch-norm MLP, written by hand.

The program itself is graphviz_grad/lessons/makemore_backprop.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python makemore_backprop.py
"""
from graphviz_grad.lessons import makemore_backprop

makemore_backprop.main()
