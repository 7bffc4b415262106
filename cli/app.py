"""Entry point of ``vizgrad``: the typer app, and ``main()`` which maps every failure to an exit status.

Exit statuses: 0 success, 1 a user error (one line on stderr, no traceback),
2 a usage error (unknown option, missing argument), 130 interrupted.
``vizgrad --debug COMMAND ...`` shows the traceback of an internal error.

``vizgrad --help`` and ``vizgrad --version`` are answered before typer is
imported (typer and rich cost a tenth of a second to import); every other
call builds the typer app, whose modules import the heavy libraries only
inside the commands that need them.

>>> main(["--version"])  # doctest: +ELLIPSIS
vizgrad ...
0
"""
import sys

from . import help_text
from .errors import CliError, Interrupted, one_line

_state = {"debug": False}


def _version():
    from graphviz_grad import __version__

    return f"vizgrad {__version__}"


def _error(message, code, prefix="error: "):
    try:
        sys.stdout.flush()  # what the command printed comes before the error
    except (OSError, ValueError):
        pass
    sys.stderr.write(f"vizgrad: {prefix}{one_line(message)}\n")
    sys.stderr.flush()
    return code


def _click_exceptions():
    """(UsageError, ClickException, Exit, Abort) of the click that typer runs on (recent typer vendors it)."""
    try:
        from typer._click.exceptions import ClickException, UsageError
        from typer.exceptions import Abort, Exit
    except ImportError:  # typer on the click package
        from click.exceptions import Abort, ClickException, Exit, UsageError
    return UsageError, ClickException, Exit, Abort


def _group_class():
    import typer.core

    UsageError, ClickException, Exit, Abort = _click_exceptions()

    class VizgradGroup(typer.core.TyperGroup):
        """Runs a command and turns every failure into one line on stderr and an exit status."""

        def format_help(self, ctx, formatter):
            formatter.write(help_text.main_help())

        def invoke(self, ctx):
            # typer turns Ctrl-C into a silent exit 130; say so in one line instead.
            try:
                return super().invoke(ctx)
            except KeyboardInterrupt:
                raise Interrupted() from None

        def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
            _state["debug"] = "--debug" in (sys.argv[1:] if args is None else list(args))
            try:
                code = super().main(args, prog_name or "vizgrad", complete_var, standalone_mode=False, **extra)
                code = code if isinstance(code, int) else 0
            except UsageError as e:
                hint = f" (see: {e.ctx.command_path} --help)" if e.ctx else ""
                code = _error(e.format_message() + hint, 2)
            except ClickException as e:
                code = _error(e.format_message(), e.exit_code)
            except Exit as e:
                code = e.exit_code
            except Abort:
                code = _error("interrupted", 130, prefix="")
            except KeyboardInterrupt:
                code = _error("interrupted", 130, prefix="")
            except CliError as e:
                code = _error(str(e), e.exit_code, e.prefix)
            except Exception as e:  # a bug of ours: one line unless --debug
                if _state["debug"]:
                    raise
                code = _error(f"internal error: {type(e).__name__}: {e} (run with --debug for the traceback)", 1)
            if standalone_mode:
                sys.exit(code)
            return code

    return VizgradGroup


def _print_version(value):
    if value:
        import typer

        print(_version())
        raise typer.Exit(0)


def get_app():
    """Build the typer app (``typer.testing.CliRunner().invoke(get_app(), [...])`` in tests)."""
    import typer

    from . import docs_cmd, examples_cmd, render, train

    app = typer.Typer(
        cls=_group_class(),
        name="vizgrad",
        help=help_text.SUMMARY,
        add_completion=False,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _options(
        version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_print_version,
                                     help=dict(help_text.OPTIONS)["-V, --version"]),
        debug: bool = typer.Option(False, "--debug", help=dict(help_text.OPTIONS)["--debug"]),
    ):
        _state["debug"] = debug

    summaries = dict(help_text.COMMANDS)
    for name, fn in (("render", render.render), ("train", train.train),
                     ("examples", examples_cmd.examples), ("docs", docs_cmd.docs)):
        app.command(name, short_help=summaries[name])(fn)
    return app


def __getattr__(name):
    # `from graphviz_grad.cli.app import app` builds the app on first use, keeping `main` light.
    if name == "app":
        return get_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv=None):
    """Run ``vizgrad`` with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in ([], ["--help"], ["-h"]):
        sys.stdout.write(help_text.main_help())
        return 0
    if args in (["--version"], ["-V"]):
        print(_version())
        return 0
    try:
        command = _typer_command()
    except KeyboardInterrupt:
        return _error("interrupted", 130, prefix="")
    return command.main(args=args, prog_name="vizgrad", standalone_mode=False)


def _typer_command():
    """The click command of the app, its values converted without pydantic (see :mod:`.coercion`)."""
    import typer.main

    from . import coercion

    command = typer.main.get_command(get_app())
    coercion.install(command)
    return command
