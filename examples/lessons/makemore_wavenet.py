"""makemore 5: a WaveNet-style hierarchy, built from Karpathy's own layer classes.

The program itself is graphviz_grad/lessons/makemore_wavenet.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python makemore_wavenet.py
"""
from graphviz_grad.lessons import makemore_wavenet

makemore_wavenet.main()
