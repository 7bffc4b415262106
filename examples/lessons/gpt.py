"""Let's build GPT: a character-level Transformer language model trained on a little Shakespeare.

The program itself is graphviz_grad/lessons/gpt.py, its one source (read it there, or in
docs/lessons/); this file runs it with its own step count: python gpt.py
"""
from graphviz_grad.lessons import gpt

gpt.main()
