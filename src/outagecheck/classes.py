"""Dataclasses built without compiling at import: the methods `dataclasses` would `exec`, kept as source.

Python 3.11's `dataclasses` writes each generated method (`__init__`, `__repr__`, `__eq__`, `__hash__`, and a
frozen class's `__setattr__`/`__delattr__`) as text and compiles it with its own `exec`: ~1.4 ms a frozen class,
most of what importing the status path costs beyond the libraries. `classes_source.py` holds those very texts as
ordinary functions (compiled once into its .pyc, like any module). `dataclass` here is `dataclasses.dataclass`
with one step swapped: where `dataclasses` would compile a text, it looks the text up and, when written, makes
the function from the precompiled code with the same globals and closure values (so the same bytecode runs);
a text not written (a field added since the last regeneration, another Python) is compiled as before. Every
other step (fields, defaults, `__match_args__`, frozen-ness, docs) is `dataclasses`' own.

Regenerate `classes_source.py` after changing a dataclass that uses this decorator:
`OUTAGECHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_classes.py` (its drift test says so when it fails).
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable
from dataclasses import field as field  # re-exported: a module's dataclass helpers from one import
from typing import TYPE_CHECKING, Any

from outagecheck.classes_source import METHODS

_ORIGINAL: Callable[..., Any] | None = getattr(dataclasses, "_create_fn", None)  # gone in 3.13 (one exec a class)
# The generator's notebooks: every text asked for, and the texts that had to be compiled (not in the source).
RECORDED: list[str] | None = None
MISSED: list[str] = []


def method_text(name: str, args: Any, body: Any, local_names: Any, returns: bool) -> str:
    """The text Python 3.11's `dataclasses._create_fn` compiles for one method, byte for byte."""
    annotation = "->_return_type" if returns else ""
    inner = "\n".join(f"  {b}" for b in body)
    text = f" def {name}({','.join(args)}){annotation}:\n{inner}"
    return f"def __create_fn__({', '.join(local_names)}):\n{text}\n return {name}"


def _create_fn(
    name: str,
    args: Any,
    body: Any,
    *,
    globals: dict[str, Any] | None = None,  # dataclasses' own keyword
    locals: dict[str, Any] | None = None,  # dataclasses' own keyword
    return_type: Any = dataclasses.MISSING,
) -> Any:
    """Stand in for `dataclasses._create_fn`: the precompiled method when its text is written, else compile it."""
    values = dict(locals or {})
    if return_type is not dataclasses.MISSING:
        values["_return_type"] = return_type
    text = method_text(name, args, body, list(values), return_type is not dataclasses.MISSING)
    if RECORDED is not None:
        RECORDED.append(text)
    made = METHODS.get(text)
    if made is None:
        MISSED.append(text)
        assert _ORIGINAL is not None
        return _ORIGINAL(name, args, body, globals=globals, locals=locals, return_type=return_type)
    # The same globals dataclasses would exec in: builtins and module names resolve as they would there.
    maker = types.FunctionType(made.__code__, globals if globals is not None else vars(dataclasses))
    return maker(**values)


def _build(cls: type[Any] | None, options: dict[str, Any]) -> Any:
    if _ORIGINAL is None:
        return dataclasses.dataclass(cls, **options)

    def wrap(klass: type[Any]) -> type[Any]:
        # For this class only. Another thread building a dataclass meanwhile gets the same methods (a text
        # not written is compiled as before); the original is always what is left in place.
        dataclasses._create_fn = _create_fn  # type: ignore[attr-defined]  # present: _ORIGINAL is not None
        try:
            return dataclasses.dataclass(klass, **options)
        finally:
            dataclasses._create_fn = _ORIGINAL  # type: ignore[attr-defined]

    return wrap if cls is None else wrap(cls)


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass  # mypy's dataclass plugin sees the real one
else:

    def dataclass(cls=None, /, **options):
        """Make a dataclass exactly as `dataclasses.dataclass` does, from precompiled methods where written."""
        return _build(cls, options)
