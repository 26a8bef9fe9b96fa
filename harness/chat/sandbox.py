"""jinja2's immutable sandbox with the costly built-ins capped, for chat templates (untrusted input).

The render deadline (harness/chat/template.py) traces the template's own frames. Work done in one
call outside them is not traced: `lipsum(n=20000)` loops for seconds in jinja's own code, `'x' * 10**10`
or `'x'.center(10**10)` allocates gigabytes in one C call, `[0]|batch(10**9, 0)` builds a list of a
billion items. Chat templates need none of that, so here every operator, method and filter that can
make a result much larger than its inputs refuses sizes beyond what a prompt could ever hold, and
`lipsum` is gone. What stays unbounded only grows one template line at a time, which the deadline
and the memory watch in template.py see.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace

MAX_SIZE = 4_000_000  # characters or items one operation may produce (the render's output cap)
MAX_WIDTH = 100_000  # padding, indent, wrap width, batch or slice count
MAX_POWER_BITS = 4096  # a ** b beyond this is a CPU bomb (big-int arithmetic in one C call)
_WIDE_SPEC = re.compile(r"\d{6,}")  # a width or precision of 100000 or more in a format string
_SIZED = (str, bytes, list, tuple, dict)


def _refuse(what: str) -> None:
    raise SecurityError(f"{what} is too large for a chat template")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, _SIZED) else 0


def _check_format(spec: Any) -> None:
    if isinstance(spec, str) and _WIDE_SPEC.search(spec):
        _refuse("a format width or precision")


def _check_int(value: Any, limit: int, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > limit:
        _refuse(what)


def _times(left: Any, right: Any) -> Any:
    for seq, n in ((left, right), (right, left)):
        if _size(seq) and isinstance(n, int) and _size(seq) * max(n, 0) > MAX_SIZE:
            _refuse("a repeated string or list")
    return left * right


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
        if right * abs(left).bit_length() > MAX_POWER_BITS:
            _refuse("a power")
    return left ** right


def _mod(left: Any, right: Any) -> Any:
    _check_format(left)
    return left % right


def _plus(left: Any, right: Any) -> Any:
    if _size(left) + _size(right) > MAX_SIZE:
        _refuse("a concatenation")
    return left + right


_BINOPS = {"*": _times, "**": _power, "%": _mod, "+": _plus}


def _replace_size(s: str, old: str, new: str, count: int = -1) -> int:
    n = s.count(old) if old else len(s) + 1
    if count is not None and count >= 0:
        n = min(n, count)
    return len(s) + n * (len(new) - len(old))


def _check_call(obj: Any, args: tuple, kwargs: dict) -> None:
    """Refuse a str method call whose result would be huge, before it runs."""
    owner, name = getattr(obj, "__self__", None), getattr(obj, "__name__", "")
    values = list(args) + list(kwargs.values())
    if any(_size(v) > MAX_SIZE for v in values):
        _refuse("an argument")
    if not isinstance(owner, str):
        return
    if name in ("center", "ljust", "rjust", "zfill", "expandtabs") and values:
        _check_int(values[0], MAX_WIDTH, f"str.{name} width")
    elif name in ("format", "format_map"):
        _check_format(owner)
    elif name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        if _replace_size(owner, *args[:2], *args[2:3]) > MAX_SIZE:
            _refuse("str.replace's result")
    elif name == "join" and values and isinstance(values[0], _SIZED) and len(owner) * len(values[0]) > MAX_SIZE:
        _refuse("str.join's result")


def guarded(fn, *, widths: tuple[str | int, ...] = (), formats: tuple[int, ...] = ()):
    """A filter whose width-like arguments (by position after the value, or by name) and format
    strings (by position, 0 = the value) are refused when too large."""
    shift = 1 if getattr(fn, "jinja_pass_arg", None) else 0  # @pass_environment & co. take one more first

    @functools.wraps(fn)  # keeps jinja_pass_arg: jinja still passes what the filter asks for
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        args_ = args[shift:]
        for i in formats:
            if i < len(args_):
                _check_format(args_[i])
        for w in widths:
            value = kwargs.get(w) if isinstance(w, str) else (args_[w] if w < len(args_) else None)
            _check_int(value, MAX_WIDTH, f"the {fn.__name__} filter's {w!r} argument")
            if isinstance(value, str) and len(value) > MAX_WIDTH:  # indent() also takes a string
                _refuse(f"the {fn.__name__} filter's {w!r} argument")
        return fn(*args, **kwargs)
    return wrapper


# filter name -> (argument positions, counting the value as 0, and names) whose size is capped
_FILTER_WIDTHS: dict[str, tuple[str | int, ...]] = {
    "center": (1, "width"), "indent": (1, "width"), "wordwrap": (1, "width"), "truncate": (1, "length"),
    "batch": (1, "linecount"), "slice": (1, "slices"),
}


class _Namespace(Namespace):
    """namespace() whose values stay bounded: `{% set ns.s = ns.s ~ ns.s %}` in a loop doubles a string
    at every iteration, and `~` cannot be intercepted like the other operators."""

    def __setitem__(self, name: str, value: Any) -> None:
        if _size(value) > MAX_SIZE:
            _refuse("a namespace value")
        super().__setitem__(name, value)


class ChatTemplateEnvironment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with size-bounded operators, str methods and filters, without lipsum."""

    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.pop("lipsum", None)  # seconds of work per call, in jinja's own (untraced) code
        self.globals["namespace"] = _Namespace
        self.filters.pop("urlize", None)  # regular expressions over the whole text; no template needs it
        for name, widths in _FILTER_WIDTHS.items():
            self.filters[name] = guarded(self.filters[name], widths=widths)
        self.filters["format"] = guarded(self.filters["format"], formats=(0,))
        replace = self.filters["replace"]

        def bounded_replace(eval_ctx, s, old, new, count=None):
            if isinstance(s, str) and isinstance(old, str) and isinstance(new, str):
                if _replace_size(s, old, new, -1 if count is None else count) > MAX_SIZE:
                    _refuse("the replace filter's result")
            return replace(eval_ctx, s, old, new, count)
        bounded_replace.jinja_pass_arg = replace.jinja_pass_arg  # type: ignore[attr-defined]
        self.filters["replace"] = bounded_replace

    def wrap_str_format(self, value: Any):
        wrapped = super().wrap_str_format(value)  # str.format is sandboxed when looked up, not when called
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        return _BINOPS.get(operator_name, lambda a, b: self.binop_table[operator_name](a, b))(left, right)

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (jinja's own signature)
        _check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


__all__ = ["ChatTemplateEnvironment", "MAX_SIZE", "MAX_WIDTH", "SecurityError", "guarded"]
