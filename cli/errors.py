"""The errors ``vizgrad`` reports to the user: one line on stderr, never a traceback.

A :class:`CliError` is something the user can fix (a refused expression, a
missing example, a file that cannot be written); ``main()`` prints its message
and exits with status 1. :class:`Interrupted` (Ctrl-C) exits with status 130.

>>> str(CliError("no such example 'foo'"))
"no such example 'foo'"
>>> one_line("first line\\nsecond line")
'first line'
"""


class CliError(Exception):
    """A mistake the user can fix: printed as ``vizgrad: error: <message>``, exit status 1."""

    exit_code = 1
    prefix = "error: "  # printed between "vizgrad: " and the message


class Interrupted(CliError):
    """Ctrl-C: printed as ``vizgrad: interrupted...``, exit status 130 (128 + SIGINT, as shells report it)."""

    exit_code = 130
    prefix = ""

    def __init__(self, details=""):
        super().__init__(f"interrupted{details}")


class ExprError(CliError):
    """An expression that is refused (not allowed, malformed, too large) or fails to compute."""


def one_line(text, limit=300):
    """The first non-empty line of ``text``, control characters escaped, cut to ``limit`` characters.

    >>> one_line("  \\n  shape mismatch\\x1b[31m  \\n trace")
    'shape mismatch\\\\x1b[31m'
    """
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    line = lines[0] if lines else ""
    line = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in line)
    return line if len(line) <= limit else line[: limit - 1] + "…"
