"""The safe expression language of ``vizgrad render``: parsed by ``ast``, never evaluated as Python.

An expression is one or more statements separated by ``;`` (or newlines):
``NAME = expression`` assignments, and optionally a bare expression last.
What is allowed, and nothing else:

- names of variables (not starting with ``_``), int and float numbers,
  nested lists/tuples of numbers;
- ``+ - * / ** @``, unary ``-`` and ``+``, parentheses;
- calls of the functions in :data:`FUNCTION_NAMES` (``relu(x)``,
  ``sum(x, dim=1)``, ``clamp(x, min=0)``, ``randn(3, 4)``, ...) with the keyword
  arguments ``min=``, ``max=``, ``dim=``, ``keepdim=`` (``True``/``False``
  only as ``keepdim=``);
- indexing of a tensor by integers and slices: ``x[0]``, ``x[1:, -1]``;
- the same functions called as methods, ``relu(h).sum()``, ``h.mean(0)``,
  ``x.t()``, and ``x.T``: an explicit table (``expr_ops.METHODS``,
  ``expr_ops.ATTRIBUTES``) rewrites each into the function call
  (``h.mean(0)`` is ``mean(h, 0)``) before the whitelist checks it; no
  attribute is ever looked up on a Python object.

Everything else (other attributes, imports, lambdas, comprehensions, strings,
comparisons, ``and``/``or``, ``:=``, ``*args``, dunder names, unknown
functions, ...) is refused by :func:`parse` with one line naming what is not
allowed and its column. Limits keep any input cheap: :data:`MAX_LENGTH`
characters, :data:`MAX_STATEMENTS` statements, :data:`MAX_NODES` syntax nodes,
:data:`MAX_DEPTH` levels of nesting, :data:`MAX_OPS` operations and
``expr_ops.MAX_ELEMENTS`` elements per tensor; powers of numbers are checked
before they are computed, so ``9**9**9**9`` is refused at once.

Variables given as ``VAR=VALUE``, variables used before any value was given
(seeded random scalars), and variables assigned a value that depends on no
other variable are the *inputs*: float leaf tensors with
``requires_grad=True``, named after the variable. Every assignment names its
result after the assigned variable.

>>> ev = evaluate("y = w*x + b", {"x": "1", "w": "2", "b": "3"})
>>> ev.output_name, ev.output.item(), [name for name, _ in ev.inputs]
('y', 5.0, ['w', 'x', 'b'])
>>> evaluate("h = w*x; y = relu(h) + b", seed=0).random_inputs
['w', 'x', 'b']
>>> try:
...     parse("y = x.__class__")
... except ExprError as e:
...     print(e)
column 5: not allowed: attribute access (x.__class__)
"""
import ast
import dataclasses
import inspect
import warnings

import numpy as np

import graphviz_grad as vg

from . import expr_ops as ops
from .errors import ExprError, one_line

MAX_LENGTH = 2_000
MAX_STATEMENTS = 50
MAX_NODES = 800
MAX_DEPTH = 200
MAX_OPS = 200

FUNCTION_NAMES = tuple(sorted(ops.FUNCTIONS))
VALUE_FUNCTION_NAMES = tuple(sorted(ops.CREATION))

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@"}
_REFUSED_OPERATORS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Not: "not", ast.Invert: "~",
}
_REFUSED = {  # what a refused node is called in the error message
    ast.Attribute: "attribute access", ast.Lambda: "lambda", ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions", ast.DictComp: "comprehensions", ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings", ast.FormattedValue: "f-strings", ast.Compare: "comparisons",
    ast.BoolOp: "boolean operators (and/or)", ast.NamedExpr: "the walrus operator :=",
    ast.IfExp: "conditional expressions", ast.Dict: "dicts", ast.Set: "sets", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield", ast.Starred: "starred arguments (*args)",
    ast.Slice: "slices outside of indexing", ast.Import: "imports", ast.ImportFrom: "imports",
    ast.FunctionDef: "function definitions", ast.AsyncFunctionDef: "function definitions",
    ast.ClassDef: "class definitions", ast.Delete: "del", ast.AugAssign: "augmented assignment (write x = x + 1)",
    ast.AnnAssign: "annotated assignment", ast.For: "loops", ast.AsyncFor: "loops", ast.While: "loops",
    ast.If: "if statements", ast.With: "with statements", ast.AsyncWith: "with statements",
    ast.Raise: "raise", ast.Try: "try", ast.Assert: "assert", ast.Global: "global", ast.Nonlocal: "nonlocal",
    ast.Pass: "pass", ast.Break: "break", ast.Continue: "continue", ast.Return: "return",
    ast.Match: "match statements",
}
_CONSTANT_KINDS = {str: "strings", bytes: "bytes", bool: "True/False (only as keepdim=True)",
                   complex: "complex numbers", type(None): "None", type(...): "..."}


@dataclasses.dataclass
class Evaluation:
    """The result of :func:`evaluate`."""

    output_name: str  # the last assigned variable (or the name given to a bare last expression)
    output: vg.Tensor  # its value
    inputs: list  # (name, leaf tensor) pairs, in order of first use
    random_inputs: list  # names that got seeded random scalars
    unused: list  # names given as VAR=VALUE but never read
    variables: dict  # name -> its final value


class Source:
    """The text being parsed and how to point at a place in it (column, and line when there are several)."""

    def __init__(self, text, label=None):
        self.label = label
        if not isinstance(text, str):
            raise ExprError(self._prefix() + "the expression must be text")
        if len(text) > MAX_LENGTH:
            raise ExprError(self._prefix() + f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}")
        self.original = text.splitlines() or [""]
        # Leading indentation is not an error here: strip it per line and add it back to columns.
        self.indent = [len(line) - len(line.lstrip(" \t")) for line in self.original]
        self.text = "\n".join(line.lstrip(" \t") for line in self.original)

    def _prefix(self):
        return f"{self.label}: " if self.label else ""

    def where(self, lineno, column):
        """``"column C: "`` (1-based characters), with the line when the text has several."""
        line = max(1, min(lineno or 1, len(self.original)))
        column = (column or 1) + self.indent[line - 1]
        place = f"line {line}, column {column}" if len(self.original) > 1 else f"column {column}"
        return f"{self._prefix()}{place}: "

    def at(self, node):
        lines = self.text.split("\n")
        line = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
        column = len(line.encode()[: node.col_offset].decode("utf-8", "ignore")) + 1
        return self.where(node.lineno, column)

    def snippet(self, node):
        segment = ast.get_source_segment(self.text, node) or ""
        return one_line(segment, limit=40)

    def error(self, node, message):
        return ExprError(one_line(self.at(node) + message))

    def refuse(self, node, what):
        snippet = self.snippet(node)
        return self.error(node, f"not allowed: {what}" + (f" ({snippet})" if snippet else ""))


# --- parsing and the whitelist -------------------------------------------------------------


def parse(text, label=None, functions=FUNCTION_NAMES, allow_names=True):
    """Parse ``text`` and check it against the whitelist; returns ``(Source, ast.Module)``.

    Raises :class:`ExprError` (one line, with the column) for anything not allowed.

    >>> parse("y = relu(w @ x)")[1].body[0].targets[0].id
    'y'
    >>> try:
    ...     parse("y = __import__('os')")
    ... except ExprError as e:
    ...     print(str(e)[:40])
    column 5: unknown function '__import__';
    """
    source = Source(text, label)
    if not source.text.strip():
        raise ExprError(source._prefix() + "the expression is empty; write e.g. \"y = w*x + b\"")
    try:
        tree = ast.parse(source.text, mode="exec")
    except SyntaxError as e:
        raise ExprError(one_line(source.where(e.lineno, e.offset) + f"syntax error: {e.msg}")) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ExprError(source._prefix() + "the expression is nested too deeply to parse") from None
    functions = frozenset(functions)
    _methods_to_calls(tree, functions)
    _check(source, tree, functions, allow_names)
    return source, tree


def _methods_to_calls(tree, functions):
    """Rewrite, in place, ``x.name(args)`` into ``name(x, args)`` and ``x.T`` into ``t(x)`` for the names in
    the tables (and in ``functions``); any other attribute stays, to be refused. Iterative."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for field, value in ast.iter_fields(node):
            if isinstance(value, list):
                new = [_as_call(v, functions) if isinstance(v, ast.AST) else v for v in value]
                setattr(node, field, new)
                stack.extend(v for v in new if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                new = _as_call(value, functions)
                setattr(node, field, new)
                stack.append(new)
    return tree


def _as_call(node, functions):
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and ops.METHODS.get(node.func.attr) in functions):
        method = node.func
        call = ast.Call(func=ast.Name(id=ops.METHODS[method.attr], ctx=ast.Load()),
                        args=[method.value] + node.args, keywords=node.keywords)
        return ast.copy_location(call, node)
    if isinstance(node, ast.Attribute) and ops.ATTRIBUTES.get(node.attr) in functions \
            and isinstance(node.ctx, ast.Load):
        call = ast.Call(func=ast.Name(id=ops.ATTRIBUTES[node.attr], ctx=ast.Load()), args=[node.value], keywords=[])
        return ast.copy_location(call, node)
    return node


def _check(source, tree, functions, allow_names):
    body = tree.body
    if not body:
        raise ExprError(source._prefix() + "the expression is empty (only a comment?); write e.g. \"y = w*x + b\"")
    if len(body) > MAX_STATEMENTS:
        raise source.error(body[MAX_STATEMENTS], f"more than {MAX_STATEMENTS} statements; that is the limit")
    roots = []
    for i, stmt in enumerate(body):
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                raise source.refuse(stmt, "assigning to anything but one name (NAME = ...)")
            _check_name(source, stmt.targets[0], functions, allow_names)
        elif isinstance(stmt, ast.Expr):
            if i != len(body) - 1:
                raise source.error(stmt, "only the last statement may be a bare expression; assign it: h = ...")
        else:
            raise source.refuse(stmt, _REFUSED.get(type(stmt), f"the statement '{type(stmt).__name__}'"))
        roots.append(stmt.value)
    _check_expressions(source, roots, functions, allow_names)


def _check_expressions(source, roots, functions, allow_names):
    """Walk every expression iteratively, checking each node against the whitelist."""
    stack = [(node, 1) for node in reversed(roots)]
    allowed_bools = set()
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise source.error(node, f"the expression is too large (more than {MAX_NODES:,} parts)")
        if depth > MAX_DEPTH:
            raise source.error(node, f"the expression is nested too deeply (more than {MAX_DEPTH} levels)")
        children = _check_node(source, node, functions, allow_names, allowed_bools)
        stack.extend((child, depth + 1) for child in reversed(children))


def _check_node(source, node, functions, allow_names, allowed_bools):
    """Check one node; return the child expressions to check next."""
    if isinstance(node, ast.Name):
        _check_name(source, node, functions, allow_names)
        return []
    if isinstance(node, ast.Constant):
        _check_constant(source, node, node in allowed_bools)
        return []
    if isinstance(node, (ast.List, ast.Tuple)):
        return node.elts
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise source.refuse(node, f"the operator {_REFUSED_OPERATORS.get(type(node.op), '?')}")
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise source.refuse(node, f"the operator {_REFUSED_OPERATORS.get(type(node.op), '?')}")
        return [node.operand]
    if isinstance(node, ast.Call):
        return _check_call(source, node, functions, allowed_bools)
    if isinstance(node, ast.Subscript):
        _index(source, node.slice)  # checks the index form; the value is checked as a child
        return [node.value]
    if isinstance(node, ast.Attribute) and not node.attr.startswith("_"):
        if node.attr in ops.METHODS and node.attr in functions:
            raise source.error(node, f"{node.attr} is a method; call it, e.g. x.{node.attr}()")
        raise _refuse_attribute(source, node, functions)
    raise source.refuse(node, _REFUSED.get(type(node), f"'{type(node).__name__}'"))


def _check_name(source, node, functions, allow_names):
    name = node.id
    if name.startswith("_"):
        raise source.refuse(node, "a name starting with '_'")
    if not allow_names:
        raise source.error(node, f"a value may not use variables ({name}); give a number, a list or randn(...)")
    if name in ops.FUNCTIONS:
        if isinstance(node.ctx, ast.Store):
            raise source.error(node, f"cannot assign to {name}: it is a function")
        raise source.error(node, f"{name} is a function; call it, e.g. {name}(x)")


def _check_constant(source, node, bool_allowed):
    value = node.value
    if isinstance(value, bool):
        if not bool_allowed:
            raise source.refuse(node, _CONSTANT_KINDS[bool])
    elif isinstance(value, (int, float)):
        if isinstance(value, int) and value.bit_length() > ops.MAX_INT_BITS:
            raise source.error(node, f"the number is too large (more than {ops.MAX_INT_BITS} bits)")
    else:
        raise source.refuse(node, _CONSTANT_KINDS.get(type(value), f"a constant of type {type(value).__name__}"))


def _check_call(source, node, functions, allowed_bools):
    func = node.func
    if not isinstance(func, ast.Name):
        if isinstance(func, ast.Attribute):
            if not func.attr.startswith("_"):
                raise _refuse_attribute(source, func, functions)
            raise source.refuse(func, "attribute access")
        raise source.refuse(node, "calling anything but a function name")
    if func.id not in functions:
        raise source.error(node, _unknown_function(func.id, functions))
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise source.refuse(arg, _REFUSED[ast.Starred])
    for kw in node.keywords:
        if kw.arg is None:
            raise source.refuse(kw.value, "**keyword unpacking")
        if kw.arg not in ops.KEYWORDS:
            raise source.error(
                kw.value, f"the keyword {kw.arg}= is not allowed (allowed: {', '.join(sorted(ops.KEYWORDS))})"
            )
        if kw.arg == "keepdim" and isinstance(kw.value, ast.Constant):
            allowed_bools.add(kw.value)
    return node.args + [kw.value for kw in node.keywords]


def _refuse_attribute(source, node, functions):
    """``not allowed: attribute access (x.foo): unknown method or attribute 'foo'; ...``"""
    return source.error(node, f"not allowed: attribute access ({source.snippet(node)}): "
                              + _unknown_method(node.attr, functions))


def _unknown_method(name, functions):
    """``unknown method 'sums'``, with close names and what methods there are.

    >>> _unknown_method("sums", FUNCTION_NAMES)
    "unknown method or attribute 'sums' (did you mean sum?); the methods are the functions (x.sum(), x.mean(0), ...) and x.T"
    """
    import difflib

    methods = sorted(n for n in ops.METHODS if n in functions)
    if not methods:
        return f"unknown method '{one_line(name, 40)}': no methods here; write a number, a list or randn(...)"
    message = f"unknown method or attribute '{one_line(name, 40)}'"
    close = difflib.get_close_matches(name, methods + list(ops.ATTRIBUTES), n=3, cutoff=0.75)
    if close:
        message += f" (did you mean {' or '.join(close)}?)"
    return message + "; the methods are the functions (x.sum(), x.mean(0), ...) and x.T"


def _unknown_function(name, functions):
    """``unknown function 'nam'``, with the close names, and the list when it is short enough for one line.

    >>> _unknown_function("relux", FUNCTION_NAMES)
    "unknown function 'relux' (did you mean relu?); see 'vizgrad render --help' for the list"
    >>> _unknown_function("open", VALUE_FUNCTION_NAMES)
    "unknown function 'open'; the functions are ones, rand, randn, tensor, zeros"
    """
    import difflib

    message = f"unknown function '{one_line(name, 40)}'"
    close = difflib.get_close_matches(name, functions, n=3, cutoff=0.75)
    if close:
        message += f" (did you mean {' or '.join(close)}?)"
    known = ", ".join(sorted(functions))
    if len(known) <= 120:
        return f"{message}; the functions are {known}"
    return f"{message}; see 'vizgrad render --help' for the list"


def _int_index(source, node):
    """An int literal, possibly negated, inside an index."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return sign * ops.check_int(node.value)
    raise source.refuse(node, "an index other than integers and slices (e.g. x[0], x[1:, -1])")


def _index(source, node):
    """The Python index for ``x[...]``: ints and slices of int literals, or a tuple of them."""
    parts = node.elts if isinstance(node, ast.Tuple) else [node]
    index = []
    for part in parts:
        if isinstance(part, ast.Slice):
            bounds = (part.lower, part.upper, part.step)
            index.append(slice(*(None if b is None else _int_index(source, b) for b in bounds)))
        else:
            index.append(_int_index(source, part))
    return tuple(index) if isinstance(node, ast.Tuple) else index[0]


# --- evaluation ----------------------------------------------------------------------------


def _children(node):
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return node.args + [kw.value for kw in node.keywords]
    if isinstance(node, (ast.List, ast.Tuple)):
        return node.elts
    if isinstance(node, ast.Subscript):
        return [node.value]
    return []


class _Evaluator:
    """Walks a checked AST iteratively (post-order) and calls graphviz_grad for every operation."""

    def __init__(self, source, variables):
        self.source = source
        self.variables = variables  # name -> value; the inputs given as VAR=VALUE to start with
        self.input_ids = {id(v) for v in variables.values()}
        self.inputs = []  # (name, leaf tensor) in order of first use
        self.random = []
        self.read = set()
        self.ops = 0

    def add_input(self, name, tensor):
        self.input_ids.add(id(tensor))
        self.inputs.append((name, tensor))

    def run(self, tree, last_name):
        """Run every statement; returns the last one's value (a bare last name is returned as is)."""
        value = None
        for stmt in tree.body:
            value = self.expression(stmt.value)
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Name):
                return value
            name = stmt.targets[0].id if isinstance(stmt, ast.Assign) else last_name
            value = self.assign(name, value, stmt)
        return value

    def expression(self, root):
        results = {}
        stack = [(root, False)]
        while stack:
            node, ready = stack.pop()
            children = _children(node)
            if ready:
                values = [results.pop(child) for child in children]
                results[node] = self.compute(node, values)
            else:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
        return results[root]

    def compute(self, node, values):
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, (ast.List, ast.Tuple)):
            return values
        try:
            if isinstance(node, ast.BinOp):
                return self.binop(_BINARY[type(node.op)], *values)
            if isinstance(node, ast.UnaryOp):
                return self.unary(isinstance(node.op, ast.USub), values[0])
            if isinstance(node, ast.Call):
                return self.call(node, values)
            if isinstance(node, ast.Subscript):
                return self.subscript(values[0], _index(self.source, node.slice))
        except ExprError as e:  # raised by the helpers, which do not know where they are
            raise self.source.error(node, str(e)) from e
        except (RecursionError, MemoryError) as e:
            raise self.source.error(node, f"the computation is too large ({type(e).__name__})") from e
        except Exception as e:  # the engine's own error (shape mismatch, bad dim, ...): the user's to fix
            raise self.source.error(node, f"{self.source.snippet(node)}: {one_line(e)}") from e
        raise self.source.refuse(node, f"'{type(node).__name__}'")  # unreachable after _check

    def count_op(self):
        self.ops += 1
        if self.ops > MAX_OPS:
            raise ExprError(f"the expression makes more than {MAX_OPS} operations; that is the limit")

    def name(self, name):
        self.read.add(name)
        if name not in self.variables:
            self.variables[name] = vg.randn((), requires_grad=True, name=name)
            self.input_ids.add(id(self.variables[name]))
            self.random.append(name)
        value = self.variables[name]
        if id(value) in self.input_ids and not any(value is t for _, t in self.inputs):
            self.inputs.append((name, value))
        return value

    def binop(self, op, a, b):
        if ops.is_number(a) and ops.is_number(b) and op != "@":
            return ops.number_binop(op, a, b)
        self.count_op()
        if op == "@":
            return ops.matmul(a, b)
        return ops.elementwise(ops.BINARY_OPS[op], a, b)

    def unary(self, negate, value):
        if ops.is_number(value):
            return -value if negate else value
        if not negate:
            return ops.to_tensor(value, "the operand of +")
        self.count_op()
        return vg.neg(ops.to_tensor(value, "the operand of -"))

    def call(self, node, values):
        self.count_op()
        name = node.func.id
        n_args = len(node.args)
        kwargs = {kw.arg: v for kw, v in zip(node.keywords, values[n_args:])}
        fn = ops.FUNCTIONS[name]
        try:
            inspect.signature(fn).bind(*values[:n_args], **kwargs)
        except TypeError as e:
            raise ExprError(f"{name}(): {e}") from None
        result = fn(*values[:n_args], **kwargs)
        if isinstance(result, vg.Tensor):
            ops.check_elements(tuple(result.shape))
        return result

    def subscript(self, value, index):
        if not isinstance(value, vg.Tensor):
            raise ExprError(f"only tensors can be indexed, not {ops.describe(value)}")
        self.count_op()
        return value[index]

    def assign(self, name, value, stmt):
        """Bind ``name``; a value that depends on no input becomes an input leaf itself."""
        try:
            if not isinstance(value, vg.Tensor):
                value = ops.to_tensor(value, f"the value of {name}")
            elif any(value is v for v in self.variables.values()):
                self.count_op()
                value = vg.clone(value)  # y = x: a copy, so that x keeps its own name
            if value.grad_fn is None and not value.requires_grad:
                if not value.is_floating_point():
                    value = value.float()
                value.requires_grad_(True)
                self.add_input(name, value)
        except ExprError as e:
            raise self.source.error(stmt, str(e)) from None
        except Exception as e:  # the engine refusing the value (ragged list, ...)
            raise self.source.error(stmt, one_line(e)) from e
        value.name = name
        self.variables[name] = value
        return value


def _last_name(tree, taken):
    last = tree.body[-1]
    if isinstance(last, ast.Assign):
        return last.targets[0].id
    if isinstance(last.value, ast.Name):
        return last.value.id
    return next(n for n in ("y", "out", "result", "result_") if n not in taken)


def split_assignment(arg):
    """``"x=1.5"`` → ``("x", "1.5")``, refusing names that are not plain identifiers.

    >>> split_assignment("w = randn(3, 4)")
    ('w', 'randn(3, 4)')
    """
    name, sep, text = str(arg).partition("=")
    name = name.strip()
    if not sep:
        raise ExprError(f"expected VAR=VALUE (e.g. x=1.5), got {one_line(arg, 40)!r}")
    if not name.isidentifier() or name.startswith("_") or name in ops.FUNCTIONS:
        raise ExprError(f"{one_line(name, 40)!r} is not a valid variable name (in {one_line(arg, 40)!r})")
    return name, text.strip()


def parse_value(name, text):
    """The input tensor for ``VAR=VALUE``: a number, a (nested) list, or randn/rand/zeros/ones(...)."""
    source, tree = parse(text, label=f"{name}={one_line(text, 30)}", functions=VALUE_FUNCTION_NAMES,
                         allow_names=False)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        raise ExprError(f"{name}=: the value must be one expression, e.g. {name}=1.5 or {name}=randn(3)")
    evaluator = _Evaluator(source, {})
    value = evaluator.expression(tree.body[0].value)
    try:
        value = ops.to_tensor(value, f"the value of {name}")
    except Exception as e:  # ExprError, or the engine refusing a ragged list
        raise ExprError(one_line(f"{source._prefix()}{e}")) from e
    value = value.detach()
    if not value.is_floating_point():
        value = value.float()
    value.requires_grad_(True)
    value.name = name
    return value


def evaluate(text, values=None, seed=0):
    """Run expression ``text`` with ``values`` ({name: VALUE text or tensor}); see the module docstring."""
    values = dict(values or {})
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source, tree = parse(text)
        vg.manual_seed(seed)
        given = {}
        for name, value in values.items():
            given[name] = value if isinstance(value, vg.Tensor) else parse_value(name, value)
        last_name = _last_name(tree, _names_in(tree) | set(given))
        evaluator = _Evaluator(source, given)
        output = evaluator.run(tree, last_name)
    return Evaluation(
        output_name=last_name,
        output=output,
        inputs=evaluator.inputs,
        random_inputs=evaluator.random,
        unused=[name for name in values if name not in evaluator.read],
        variables=evaluator.variables,
    )


def _names_in(tree):
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
