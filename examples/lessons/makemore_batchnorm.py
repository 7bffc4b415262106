"""makemore 3: batch normalization, first by hand (running statistics under no_grad), then from nn.

The program itself is graphviz_grad/lessons/makemore_batchnorm.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python makemore_batchnorm.py
"""
from graphviz_grad.lessons import makemore_batchnorm

makemore_batchnorm.main()
