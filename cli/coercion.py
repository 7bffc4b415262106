"""Cheap conversion of ``vizgrad``'s command-line values, so that a command does not import pydantic.

Recent typer (0.2x) converts every parameter that is not a bool flag through
a pydantic ``TypeAdapter``: importing pydantic and building the adapters costs
about 0.15-0.2 s on every ``vizgrad render``/``train`` call, more than the
work itself for a small expression. Our parameters are only ``str``, ``bool``,
``int`` (with min/max), ``Path``, ``enum`` choices and ``list[str]``, so
:func:`install` gives each of those parameters a small converter of its own
(same rules, same "Invalid value for '--steps': ..." usage errors, exit 2).

This relies on typer's private ``_TyperParameter._runtime_param`` hook: when
typer does not have it (older typer on plain click, or a future layout), or a
parameter has an annotation or option not handled here, nothing is changed and
typer converts the value itself. The in-process tests (``CliRunner``) go
through typer's own conversion and the subprocess tests through this one, with
the same outcomes; the one difference known is that an empty path (``-o ""``)
is a usage error here, where pydantic reads it as ``.``.
"""
import enum
import typing
from pathlib import Path


def install(command):
    """Give the parameters of ``command`` and its subcommands the cheap converters; returns how many."""
    try:
        from typer._click.exceptions import BadParameter
        from typer._coercion import RuntimeParam
    except ImportError:  # typer on the click package: it converts without pydantic already
        return 0
    cls = _runtime_class(RuntimeParam, BadParameter)
    count = 0
    for cmd in [command, *getattr(command, "commands", {}).values()]:
        for param in getattr(cmd, "params", ()):
            count += _install_one(cls, param)
        _wrap_help_option(cls, cmd)
    return count


def _install_one(cls, param):
    """Give ``param`` a cheap converter; 1 if done, 0 when it is left to typer."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", False) is not None:
        return 0  # not a typer parameter, or already converted by typer
    info = descriptor.parameter_info
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None:
        return 0
    convert = _converter(descriptor.annotation, info)
    if convert is None:
        return 0
    try:
        param._runtime_param = cls(parameter_info=info, annotation=descriptor.annotation, convert=convert)
    except TypeError:  # RuntimeParam's fields changed: leave the parameter to typer
        return 0
    return 1


def _wrap_help_option(cls, cmd):
    """The ``--help`` option is made on first use; convert it cheaply too."""
    make = getattr(cmd, "get_help_option", None)
    if make is None:
        return

    def get_help_option(ctx):
        option = make(ctx)
        if option is not None:
            _install_one(cls, option)
        return option

    cmd.get_help_option = get_help_option


def _runtime_class(RuntimeParam, BadParameter):
    import dataclasses

    @dataclasses.dataclass(frozen=True)
    class FastRuntimeParam(RuntimeParam):
        convert: typing.Callable = None

        def _coerce_value(self, value, param, ctx):
            try:
                return self.convert(value)
            except ValueError as e:
                raise BadParameter(str(e), ctx=ctx, param=param) from None

    return FastRuntimeParam


def _converter(annotation, info):
    """A function str -> value raising ValueError with the message, or None when not handled here."""
    if typing.get_origin(annotation) is list:
        args = typing.get_args(annotation)
        item = _converter(args[0], info) if len(args) == 1 else None
        if item is None:
            return None
        return lambda values: [item(v) for v in ([values] if isinstance(values, str) else values)]
    if annotation is str:
        return _str
    if annotation is bool:
        return _bool
    if annotation is int:
        return _int_converter(getattr(info, "min", None), getattr(info, "max", None), getattr(info, "clamp", False))
    if annotation is Path:
        defaults = {"exists": False, "file_okay": True, "dir_okay": True, "writable": False, "readable": True,
                    "resolve_path": False, "allow_dash": False, "path_type": None}
        if any(getattr(info, flag, default) != default for flag, default in defaults.items()):
            return None  # typer's own checks
        return _path
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        if not getattr(info, "case_sensitive", True):
            return None
        return _enum_converter(annotation)
    return None


def _str(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


_BOOLS = {"1": True, "true": True, "t": True, "yes": True, "y": True, "on": True,
          "0": False, "false": False, "f": False, "no": False, "n": False, "off": False}


def _bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in _BOOLS:
        raise ValueError(f"{value!r} is not a valid boolean.")
    return _BOOLS[text]


def _path(value):
    if isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value:
        raise ValueError(f"{value!r} is not a valid path.")
    return Path(value)


def _int_converter(low, high, clamp):
    def convert(value):
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a valid integer.")
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                raise ValueError(f"{value!r} is not a valid integer.") from None
        if (low is not None and number < low) or (high is not None and number > high):
            if clamp:
                return min(max(number, low if low is not None else number), high if high is not None else number)
            if low is not None and high is not None:
                bounds = f"from {low} to {high}"
            else:
                bounds = f"at least {low}" if low is not None else f"at most {high}"
            raise ValueError(f"{number} is out of range; give a number {bounds}.")
        return number

    return convert


def _enum_converter(enum_cls):
    members = {str(member.value): member for member in enum_cls}

    def convert(value):
        if isinstance(value, enum_cls):
            return value
        text = str(value)
        if text not in members:
            choices = ", ".join(repr(choice) for choice in members)
            raise ValueError(f"{text!r} is not one of {choices}.")
        return members[text]

    return convert
