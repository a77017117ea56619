"""Dataclasses built from a recipe written ahead of time, not by `dataclasses._process_class` at import.

Python 3.11's `dataclasses` examines every annotation of a class (a regex match or more each, to tell
`ClassVar`s from fields), builds its `Field`s, writes each generated method (`__init__`, `__repr__`, `__eq__`,
`__hash__`, and a frozen class's `__setattr__`/`__delattr__`) as text and compiles it with its own `exec`:
~1.4 ms a frozen class, ~0.27 ms still once the texts were precompiled. `classes_source.py` holds, per class
(module and qualified name), what `dataclasses` produced for it: the fields and their parameters, the options,
what the class body held, the generated `__doc__` and `__match_args__`, and the methods as the very functions
`dataclasses` compiles (its `__create_fn__` makers, compiled once into that module's .pyc). `dataclass` here
checks cheaply that the recipe still fits the class (annotations, options, each field's default kind and
`field()` parameters, the dunders the body defines) and then sets exactly what `dataclasses` sets: real `Field`s
carrying the class's own defaults and factories, the methods made with the same globals and closure values.
Anything it does not describe (a stale recipe, a dataclass base, slots, another Python) goes to
`dataclasses.dataclass` itself, so a stale recipe costs time, never correctness.

Regenerate `classes_source.py` after changing a dataclass that uses this decorator:
`OUTAGECHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_classes.py` (its drift test says so when it fails).
"""

from __future__ import annotations

import abc
import dataclasses
import sys
import types
from dataclasses import field as field  # re-exported: a module's dataclass helpers from one import
from operator import countOf
from typing import TYPE_CHECKING, Any

from outagecheck.classes_source import GENERATED_BY, RECIPES

# The recipes describe what this Python's dataclasses does: another version or implementation builds its own.
SAME_PYTHON = sys.implementation.name == "cpython" and f"{sys.version_info[0]}.{sys.version_info[1]}" == GENERATED_BY
# The classes built by dataclasses itself because no recipe fitted (the drift test wants none).
FELL_BACK: list[str] = []

OPTIONS = ("init", "repr", "eq", "order", "unsafe_hash", "frozen", "match_args", "kw_only", "slots", "weakref_slot")
_DEFAULTS = (True, True, True, False, False, False, True, False, False, False)
# What `dataclasses` leaves alone when the class body defines it (or refuses to overwrite): part of the recipe.
OWN: tuple[str, ...] = ("__init__", "__repr__", "__eq__", "__lt__", "__le__", "__gt__", "__ge__", "__setattr__")
OWN += ("__delattr__", "__match_args__", "__post_init__")
_OWN = frozenset(OWN)
# How the class body gave a field its default: nothing, a plain value, or `field()` with a default, a
# factory or neither (the recipe's codes).
ABSENT, PLAIN, FIELD_DEFAULT, FIELD_FACTORY, FIELD_NEITHER = range(5)

_MISSING: Any = dataclasses.MISSING
_Field: Any = dataclasses.Field
_FrozenInstanceError = dataclasses.FrozenInstanceError
_private: dict[str, Any] = vars(dataclasses)  # its private helpers and markers, used on the generator's Python
_EMPTY: Any = _private.get("_EMPTY_METADATA")
_HAS_DEFAULT_FACTORY: Any = _private.get("_HAS_DEFAULT_FACTORY")
_FIELD: Any = _private.get("_FIELD")
_Params: Any = _private.get("_DataclassParams")
_recursive_repr: Any = _private.get("_recursive_repr")
_function = types.FunctionType
_TYPE_NAMES = frozenset(dir(type))  # what getattr finds on any class (object's names among them)


def normalised(options: dict[str, Any]) -> tuple[Any, ...] | None:
    """The ten options of `dataclasses.dataclass` in order, or None for a keyword it does not take."""
    if not options.keys() <= set(OPTIONS):
        return None
    return tuple(options.get(name, default) for name, default in zip(OPTIONS, _DEFAULTS, strict=True))


def _class_fits(cls: type[Any], recipe: tuple[Any, ...], options: dict[str, Any]) -> bool:
    """Whether the class, apart from its fields' defaults, is the one the recipe was written from."""
    body = cls.__dict__
    annotations, (names, annotated) = body.get("__annotations__", {}), recipe[2]
    if options != recipe[0] or tuple(annotations) != names or tuple(annotations.values()) != annotated:
        return False
    own = recipe[4]
    if (not _OWN.isdisjoint(body) or own) and tuple(name for name in OWN if name in body) != own:
        return False
    class_hash = body.get("__hash__", _MISSING)
    if (not (class_hash is _MISSING or (class_hash is None and "__eq__" in body))) != recipe[5]:
        return False
    if "__dataclass_fields__" in body or (recipe[6] is None) != bool(cls.__doc__) or cls.__module__ not in sys.modules:
        return False
    # Fields inherited from a dataclass base are merged by dataclasses, not described by a recipe.
    return cls.__bases__ == (object,) or not any(hasattr(b, "__dataclass_fields__") for b in cls.__mro__[1:])


def _fields(cls: type[Any], recipe: tuple[Any, ...]) -> tuple[list[Any], list[Any], list[Any]] | None:
    """Every field's `Field` in order, the defaults `__init__` takes, and the `field()`s of the body; or None
    when one field no longer fits the recipe (the body's `field()`s may be named already: as dataclasses would)."""
    kw_only, body = recipe[1][7], cls.__dict__
    # dataclasses reads each default with getattr(cls, name): for a class of `type` on `object` alone, and a
    # name that neither has, that is the class's own dict (without the cost of a failed getattr).
    own_dict = type(cls) is type and cls.__bases__ == (object,)
    made: list[Any] = []
    defaults: list[Any] = []  # what __init__'s maker takes as its _dflt_ values, in order
    declared: list[Any] = []
    get = body.get
    for (name, annotation), spec in zip(body.get("__annotations__", {}).items(), recipe[3], strict=True):
        default = get(name, _MISSING) if own_dict and name not in _TYPE_NAMES else getattr(cls, name, _MISSING)
        if default is _MISSING:
            if spec[0] != ABSENT:
                return None
            f = _Field(_MISSING, _MISSING, True, True, None, True, None, kw_only)
        elif isinstance(default, _Field):
            f = _declared(default, spec, kw_only, defaults)
            if f is None:
                return None
            declared.append(f)
        elif spec[0] != PLAIN or default.__class__.__hash__ is None or isinstance(default, types.MemberDescriptorType):
            return None  # another kind, or a mutable default (dataclasses refuses it)
        else:
            f = _Field(default, _MISSING, True, True, None, True, None, kw_only)
            defaults.append(default)
        f.name = name
        f.type = annotation
        f._field_type = _FIELD
        made.append(f)
    if countOf(map(type, body.values()), _Field) != len(declared):
        return None  # a field() without an annotation: dataclasses refuses it
    doc = recipe[6]  # dataclasses' generated doc shows each default's repr: the recipe holds them
    if doc is not None and tuple(repr(f.default) for f in made if f.default is not _MISSING) != doc[1]:
        return None
    return made, defaults, declared


def _declared(f: Any, spec: tuple[Any, ...], kw_only: bool, defaults: list[Any]) -> Any:
    """A `field()` of the class body, if it has the recipe's kind and parameters (kw_only then set as
    dataclasses sets it), its default or factory added to `__init__`'s; else None."""
    kind = FIELD_NEITHER if f.default is _MISSING else FIELD_DEFAULT
    kind = kind if f.default_factory is _MISSING else FIELD_FACTORY
    field_kw_only = kw_only if f.kw_only is _MISSING else f.kw_only
    if (kind, f.init, f.repr, f.hash, f.compare, field_kw_only) != spec or f.metadata is not _EMPTY:
        return None
    if kind == FIELD_DEFAULT and f.default.__class__.__hash__ is None:
        return None  # a mutable default: dataclasses refuses it
    f.kw_only = field_kw_only
    if kind == FIELD_FACTORY:
        defaults.append(f.default_factory)
    elif kind == FIELD_DEFAULT and f.init:
        defaults.append(f.default)
    return f


def _methods(cls: type[Any], recipe: tuple[Any, ...], defaults: list[Any]) -> list[tuple[str, Any]]:
    """The generated methods, each made as dataclasses makes it: its module's globals, the same closure values
    (the generator checked each maker takes exactly these, in this order)."""
    module, body = sys.modules[cls.__module__].__dict__, cls.__dict__
    made = []
    for attribute, maker in recipe[7]:
        if maker is None:  # __hash__ = None: eq without frozen
            made.append((attribute, None))
            continue
        if attribute == "__init__":
            args = [
                *body.get("__annotations__", {}).values(),
                _MISSING,
                _HAS_DEFAULT_FACTORY,
                object,
                *defaults,
                None,
            ]
            method = _function(maker.__code__, module)(*args)
        elif attribute in ("__setattr__", "__delattr__"):
            method = _function(maker.__code__, module)(cls, _FrozenInstanceError)
        else:  # no closure: the function its maker would return, made directly
            method = _function(maker.__code__.co_consts[1], module)
        if attribute == "__repr__":
            method = _recursive_repr(method)
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        made.append((attribute, method))
    return made


def _from_recipe(cls: type[Any], options: dict[str, Any]) -> type[Any] | None:
    """The class made a dataclass from its recipe, or None (its dataclasses' parts untouched) when none fits."""
    recipe = RECIPES.get((cls.__module__, cls.__qualname__))
    if recipe is None or not _class_fits(cls, recipe, options):
        return None
    found = _fields(cls, recipe)
    if found is None:
        return None
    fields, defaults, declared = found
    methods = _methods(cls, recipe, defaults)
    # From here on, what _process_class sets, in its order.
    cls.__dataclass_params__ = _Params(*recipe[1][:6])
    for f in declared:  # a field() in the body: replaced by its default, or deleted
        if f.default is _MISSING:
            delattr(cls, f.name)
        else:
            setattr(cls, f.name, f.default)
    cls.__dataclass_fields__ = {f.name: f for f in fields}
    for attribute, method in methods:
        setattr(cls, attribute, method)
    if recipe[6] is not None:
        cls.__doc__ = recipe[6][0]
    if recipe[8] is not None:
        cls.__match_args__ = recipe[8]  # type: ignore[misc]  # read-only to typeshed, a class attribute here
    abc.update_abstractmethods(cls)
    return cls


def _build(cls: type[Any], options: dict[str, Any]) -> type[Any]:
    made = _from_recipe(cls, options) if SAME_PYTHON else None
    if made is not None:
        return made
    FELL_BACK.append(f"{cls.__module__}.{cls.__qualname__}")
    return dataclasses.dataclass(cls, **options)


if TYPE_CHECKING:
    from dataclasses import dataclass as dataclass  # mypy's dataclass plugin sees the real one
else:

    def dataclass(cls=None, /, **options):
        """Make a dataclass exactly as `dataclasses.dataclass` does, from its recipe where one fits."""
        if cls is None:
            return lambda klass: _build(klass, options)
        return _build(cls, options)
