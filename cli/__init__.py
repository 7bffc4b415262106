"""The ``vizgrad`` command line, installed as ``graphviz_grad.cli``."""
