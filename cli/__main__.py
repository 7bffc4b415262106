"""``python -m graphviz_grad.cli ARGS`` runs ``vizgrad ARGS``."""
import sys

from .app import main

if __name__ == "__main__":
    sys.exit(main())
