"""Entry point of ``vizgrad`` (commands are added by the CLI modules)."""
import sys


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("--version", "-V"):
        from graphviz_grad import __version__

        print(f"vizgrad {__version__}")
        return 0
    print("usage: vizgrad [--version] COMMAND ...")
    return 0
