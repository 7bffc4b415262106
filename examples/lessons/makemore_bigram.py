"""makemore 1: a bigram language model of names, from counts and as a one-layer neural net.

The program itself is graphviz_grad/lessons/makemore_bigram.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python makemore_bigram.py
"""
from graphviz_grad.lessons import makemore_bigram

makemore_bigram.main()
