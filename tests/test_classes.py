"""The dataclasses built from recipes: the very classes `dataclasses` makes, and the recipes kept current.

`outagecheck/classes_source.py` is generated (tests/recipes.py): after changing a dataclass that uses
`outagecheck.classes.dataclass`, run `OUTAGECHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_classes.py`.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import json
import os
import pickle
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from outagecheck import classes
from outagecheck.classes_source import GENERATED_BY, RECIPES
from tests import recipes
from tests.helpers import ROOT

SOURCE = ROOT / "src" / "outagecheck" / "classes_source.py"
# The modules whose classes use outagecheck.classes.dataclass (the status path's).
MODULES: tuple[str, ...] = (
    "model",
    "surfaces",
    "config",
    "checks.advice",
    "checks.http",
    "checks.plan",
    "checks.probe",
)
MODULES += ("checks.run", "fallback.journal")
written_for_this_python = pytest.mark.skipif(
    not classes.SAME_PYTHON,
    reason=f"the recipes describe CPython {GENERATED_BY}'s dataclasses; this one builds its own",
)
# Every module of the package imported in a fresh interpreter: the classes that found no fitting recipe.
_FRESH = """
import importlib, json, pkgutil
import outagecheck, outagecheck.classes as c
for m in pkgutil.walk_packages(outagecheck.__path__, "outagecheck."):
    if m.name != "outagecheck.__main__":
        importlib.import_module(m.name)
print(json.dumps(c.FELL_BACK))
"""


def _python(*args: str) -> Any:
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True, timeout=120, cwd=ROOT)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def recorded() -> list[dict[str, Any]]:
    """What real dataclasses made of every class of the package (tests/recipes.py, in a fresh interpreter)."""
    found: list[dict[str, Any]] = _python("-m", "tests.recipes")
    if os.environ.get("OUTAGECHECK_UPDATE_GOLDEN") == "1":
        SOURCE.write_text(recipes.render(found))
    return found


@written_for_this_python
def test_the_source_holds_a_fitting_recipe_for_every_class(recorded: list[dict[str, Any]]) -> None:
    unsupported = {".".join(r["key"]): r["unsupported"] for r in recorded if "unsupported" in r}
    assert not unsupported, f"no recipe can describe these: build them with dataclasses.dataclass: {unsupported}"
    assert SOURCE.read_text() == recipes.render(recorded), f"classes_source.py is stale: run {recipes.REGENERATE}"
    assert _python("-c", _FRESH) == [], f"classes built by dataclasses at import: run {recipes.REGENERATE}"


def _shape(code: Any) -> tuple[Any, ...]:
    """What a code object does, without where it was written (file, line numbers)."""
    consts = tuple(_shape(c) if inspect.iscode(c) else c for c in code.co_consts)
    names = (code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars, code.co_name, code.co_qualname)
    counts = (code.co_argcount, code.co_kwonlyargcount, code.co_posonlyargcount, code.co_flags)
    return (code.co_code, consts, names, counts)


@written_for_this_python
@pytest.mark.parametrize("key", sorted(RECIPES), ids=".".join)
def test_every_maker_is_the_bytecode_dataclasses_compiles(key: tuple[str, str], recorded: list[dict[str, Any]]) -> None:
    texts = next(r["methods"] for r in recorded if tuple(r["key"]) == key)
    assert [name for name, _ in RECIPES[key][7]] == [name for name, _ in texts]
    for (name, maker), (_, text) in zip(RECIPES[key][7], texts, strict=True):
        if text is None:
            assert maker is None, name
            continue
        namespace: dict[str, Any] = {}
        # as dataclasses' exec compiles it: no future flags (this module has `from __future__ import annotations`)
        exec(compile(text, "<string>", "exec", dont_inherit=True), {}, namespace)
        assert _shape(maker.__code__) == _shape(namespace["__create_fn__"].__code__), name


# -- the same class from the same body: by outagecheck.classes and by dataclasses itself --------------------


def _body(cls: type[Any]) -> dict[str, Any]:
    """A class's namespace before a decorator ran on it, each `field()` copied (each class gets its own)."""
    body = {k: copy.copy(v) if isinstance(v, dataclasses.Field) else v for k, v in vars(cls).items()}
    body.pop("__dict__", None)
    body.pop("__weakref__", None)
    return body | {"__qualname__": cls.__qualname__}


def _made(body: dict[str, Any], bases: tuple[type[Any], ...] = ()) -> type[Any]:
    namespace = {k: copy.copy(v) if isinstance(v, dataclasses.Field) else v for k, v in body.items()}
    return type(body["__qualname__"].rsplit(".", 1)[-1], bases, namespace)


def _pair(body: dict[str, Any], options: dict[str, Any], bases: tuple[type[Any], ...] = ()) -> tuple[Any, ...]:
    """(ours, twin, whether ours fell back to dataclasses) from one body; errors as dataclasses raises them."""
    twin = dataclasses.dataclass(_made(body, bases), **options)
    before = len(classes.FELL_BACK)
    ours = BUILD(_made(body, bases), **options)
    return ours, twin, len(classes.FELL_BACK) > before


_REBUILT: dict[tuple[str, str], tuple[Any, ...]] = {}


def _rebuilt(key: tuple[str, str]) -> tuple[Any, ...]:
    """The package's class built twice from its module's own class body: the module run again, each class
    made by outagecheck.classes and by dataclasses (sharing every default: the same objects)."""
    if not _REBUILT:
        for name in MODULES:
            module = importlib.import_module(f"outagecheck.{name}")
            assert module.__file__ is not None
            real = classes.dataclass

            def both(cls: Any = None, /, **options: Any) -> Any:
                def wrap(klass: type[Any]) -> type[Any]:
                    ours, twin, fell_back = _pair(_body(klass), options)
                    _REBUILT[(ours.__module__, ours.__qualname__)] = (ours, twin, fell_back)
                    return ours  # type: ignore[no-any-return]

                return wrap if cls is None else wrap(cls)

            code = compile(Path(module.__file__).read_text(), module.__file__, "exec", dont_inherit=True)
            classes.dataclass = both  # what the module imports by name
            try:
                exec(code, {"__name__": module.__name__, "__file__": module.__file__})
            finally:
                classes.dataclass = real
    return _REBUILT[key]


BUILD = classes.dataclass  # the one under test, whatever a module run again imports by that name
FIELD_SLOTS = dataclasses.Field.__slots__
PARAM_SLOTS = ("init", "repr", "eq", "order", "unsafe_hash", "frozen")


def _functions(ours: Any, twin: Any, ours_cls: type[Any], twin_cls: type[Any]) -> Iterator[str]:
    """Where two generated methods differ (nothing when they are the same function apart from their class)."""
    for name in ("__name__", "__qualname__", "__module__", "__doc__", "__annotations__", "__kwdefaults__"):
        if getattr(ours, name) != getattr(twin, name):
            yield name
    if ours.__globals__ is not twin.__globals__:
        yield "__globals__"
    if [id(d) for d in ours.__defaults__ or ()] != [id(d) for d in twin.__defaults__ or ()]:
        yield "__defaults__ (not the same objects)"
    if _shape(ours.__code__) != _shape(twin.__code__):
        yield "__code__"
    for a, b in zip(ours.__closure__ or (), twin.__closure__ or (), strict=True):
        x, y = a.cell_contents, b.cell_contents
        # The same object, but for the class itself; __repr__'s wrapper holds its own set and the function it
        # wraps (compared as __wrapped__).
        same = x is y or (x is ours_cls and y is twin_cls) or (type(x) is type(y) in (set, types.FunctionType))
        # slots=True makes a new class: its frozen methods keep the one they were made for (dataclasses' own way)
        slotted = "__slots__" in vars(ours_cls) and isinstance(x, type) and isinstance(y, type)
        same = same or (slotted and x.__qualname__ == y.__qualname__ and x is not y)
        if not same or (type(x) is set and x != y):
            yield f"closure value {x!r} != {y!r}"
    if hasattr(ours, "__wrapped__") or hasattr(twin, "__wrapped__"):
        yield from (f"__wrapped__.{d}" for d in _functions(ours.__wrapped__, twin.__wrapped__, ours_cls, twin_cls))


def differences(ours: type[Any], twin: type[Any]) -> list[str]:
    """Everything that tells a class built by outagecheck.classes from the one dataclasses built."""
    found = []
    a, b = vars(ours), vars(twin)
    if set(a) != set(b):
        found.append(f"class __dict__ names: {sorted(set(a) ^ set(b))}")
    for name in sorted(set(a) & set(b)):
        x, y = a[name], b[name]
        if name == "__dataclass_fields__":
            if list(x) != list(y):
                found.append("field names")
            for f, g in zip(x.values(), y.values(), strict=False):
                found += [f"field {f.name}.{s}" for s in FIELD_SLOTS if getattr(f, s) is not getattr(g, s)]
        elif name == "__dataclass_params__":
            found += [f"__dataclass_params__.{s}" for s in PARAM_SLOTS if getattr(x, s) != getattr(y, s)]
        elif isinstance(x, types.FunctionType) and isinstance(y, types.FunctionType):
            found += [f"{name}: {d}" for d in _functions(x, y, ours, twin)]
        elif isinstance(x, types.GetSetDescriptorType | types.MemberDescriptorType):
            if type(x) is not type(y) or x.__name__ != y.__name__:
                found.append(name)
        elif not (x is y or (type(x) is type(y) and x == y)):
            found.append(f"{name}: {x!r} != {y!r}")
    return found


def _instances(cls: type[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Arguments for two different instances: one changed field apart."""
    if "__post_init__" in vars(cls):
        return {}, {"deep": True, "models": ("m",)}  # CheckOptions validates: values it accepts
    args = {f.name: f"value of {f.name}" for f in dataclasses.fields(cls) if f.init}
    first = next(iter(args))
    return args, args | {first: "another value"}


def behaves_alike(ours: Any, twin: Any) -> None:
    """The two classes make instances that compare, print, hash, freeze and convert alike."""
    assert dataclasses.is_dataclass(ours) is True  # (not narrowing: ours stays Any)
    assert inspect.signature(ours) == inspect.signature(twin)
    assert ours.__match_args__ == twin.__match_args__
    a_args, b_args = _instances(ours)
    a, b, again = ours(**a_args), ours(**b_args), ours(**a_args)
    assert dataclasses.is_dataclass(a) is True
    assert (a == again, a != b, a == twin(**a_args)) == (True, True, False)
    assert repr(a) == repr(twin(**a_args))
    assert dataclasses.asdict(a) == dataclasses.asdict(twin(**a_args))
    assert dataclasses.replace(a, **b_args) == b
    first = dataclasses.fields(ours)[0].name
    if ours.__dataclass_params__.frozen:
        assert hash(a) == hash(again) == hash(twin(**a_args))
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(a, first, "changed")
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(a, first)
    else:
        assert ours.__hash__ is None
        setattr(a, first, "changed")


def _ours() -> list[type[Any]]:
    """Every dataclass of the modules that use classes.dataclass."""
    found = []
    for name in MODULES:
        module = importlib.import_module(f"outagecheck.{name}")
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == module.__name__:
                found.append(value)
    return found


@pytest.mark.parametrize("cls", _ours(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_each_class_is_the_one_dataclasses_makes_from_its_body(cls: type[Any]) -> None:
    ours, twin, fell_back = _rebuilt((cls.__module__, cls.__qualname__))
    assert fell_back is not classes.SAME_PYTHON  # built from its recipe where recipes apply
    assert differences(ours, twin) == []
    assert dataclasses.fields(ours)
    assert [f.name for f in dataclasses.fields(ours)] == list(ours.__annotations__)
    behaves_alike(ours, twin)
    # The class the package imported, built the same way: its methods are the recipe's, and it pickles.
    assert set(vars(cls)) == set(vars(ours))
    if classes.SAME_PYTHON:
        assert cls.__init__.__code__.co_filename == str(SOURCE)
    a_args, _ = _instances(cls)
    assert pickle.loads(pickle.dumps(cls(**a_args))) == cls(**a_args)


# -- recipes that no longer fit: dataclasses builds the class, the same one ----------------------------------


def _attempt(annotations: dict[str, str] | None = None, **changes: Any) -> dict[str, Any]:
    """model.Attempt's class body (its recipe fits it), with annotations and namespace entries changed."""
    from outagecheck.model import Attempt  # noqa: PLC0415  # the class whose recipe is borrowed

    annotated = {"status": "Status", "reason": "str", "detail": "str", "http_status": "int | None"}
    annotated |= {"latency_s": "float | None"} | (annotations or {})
    body = {"__module__": Attempt.__module__, "__qualname__": "Attempt", "__doc__": Attempt.__doc__}
    body |= {"__annotations__": annotated, "http_status": None, "latency_s": None} | changes
    return {name: value for name, value in body.items() if value is not _DROP}


_DROP = object()
FROZEN = {"frozen": True}


@written_for_this_python
def test_the_borrowed_body_fits_its_recipe() -> None:
    ours, twin, fell_back = _pair(_attempt(), FROZEN)
    assert not fell_back
    assert differences(ours, twin) == []
    assert ours.__init__.__code__.co_filename == str(SOURCE)
    behaves_alike(ours, twin)


STALE: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "a-field-added": (_attempt({"added": "list[str]"}, added=dataclasses.field(default_factory=list)), FROZEN),
    "a-plain-default-now-a-field": (_attempt(http_status=dataclasses.field(default=None)), FROZEN),
    "a-default-now-a-factory": (_attempt(latency_s=dataclasses.field(default_factory=float)), FROZEN),
    "a-default-removed": (_attempt(http_status=_DROP), FROZEN),
    "a-field-hidden-from-repr": (_attempt(latency_s=dataclasses.field(default=None, repr=False)), FROZEN),
    "an-annotation-changed": (_attempt({"detail": "bytes"}), FROZEN),
    "not-frozen": (_attempt(), {}),
    "an-option-spelled-out": (_attempt(), {"frozen": True, "eq": True}),
    "an-option-added": (_attempt(), {"frozen": True, "order": True}),
    "slots": (_attempt(), {"frozen": True, "slots": True}),
    "its-own-repr": (_attempt(__repr__=lambda self: "mine"), FROZEN),
    "a-post-init": (_attempt(__post_init__=lambda self: None), FROZEN),
    "its-own-hash": (_attempt(__hash__=lambda self: 1), FROZEN),
    "no-docstring": (_attempt(__doc__=None), FROZEN),
    "a-field-without-annotation": (_attempt(stray=dataclasses.field(default=1)), FROZEN),
    "a-mutable-default": (_attempt(latency_s=[]), FROZEN),
    "kw-only": (_attempt(), {"frozen": True, "kw_only": True}),
}


@pytest.mark.parametrize(("body", "options"), list(STALE.values()), ids=list(STALE))
def test_a_recipe_that_no_longer_fits_gives_the_class_dataclasses_makes(
    body: dict[str, Any], options: dict[str, Any]
) -> None:
    try:
        twin = dataclasses.dataclass(_made(body), **options)
    except (TypeError, ValueError) as refused:  # ours refuses it the same way
        with pytest.raises(type(refused), match=str(refused)):
            classes.dataclass(_made(body), **options)
        return
    ours, twin, fell_back = _pair(body, options)
    assert fell_back
    assert differences(ours, twin) == []
    assert ours.__init__.__code__.co_filename == "<string>"  # compiled by dataclasses' own exec


@written_for_this_python
def test_a_dataclass_base_or_another_python_gives_the_class_dataclasses_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    base: type[Any] = dataclasses.dataclass(frozen=True)(type("Base", (), {"__annotations__": {"base": "int"}}))
    ours, twin, fell_back = _pair(_attempt(http_status=_DROP, latency_s=_DROP), FROZEN, bases=(base,))
    assert fell_back
    assert differences(ours, twin) == []
    monkeypatch.setattr(classes, "SAME_PYTHON", False)
    ours, twin, fell_back = _pair(_attempt(), FROZEN)
    assert fell_back
    assert differences(ours, twin) == []
    assert ours.__init__.__code__.co_filename == "<string>"


# -- other shapes, each with a recipe written here by the generator -----------------------------------------


def _shape_body(name: str, doc: str | None, annotations: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    return {"__module__": __name__, "__qualname__": name, "__doc__": doc, "__annotations__": annotations} | defaults


class _Token:
    """A default that only itself is (hashable, and a copy of it is another object)."""


TOKEN = _Token()
SHAPES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "no-docstring": (_shape_body("Plain", None, {"a": "int", "b": "str"}, b="x"), {}),
    "no-docstring-frozen-with-a-factory": (
        _shape_body("Listed", None, {"a": "int", "items": "list[int]"}, items=dataclasses.field(default_factory=list)),
        FROZEN,
    ),
    "not-frozen": (_shape_body("Loose", "Doc.", {"a": "int", "b": "int"}, b=2), {}),
    "order-and-unsafe-hash": (_shape_body("Ranked", "Doc.", {"a": "int"}), {"order": True, "unsafe_hash": True}),
    "eq-off": (_shape_body("Uneq", "Doc.", {"a": "int"}), {"eq": False}),
    "init-off-fields": (
        _shape_body(
            "Hidden",
            "Doc.",
            {"a": "int", "b": "int", "c": "list[int]", "d": "int"},
            b=dataclasses.field(default=1, init=False),
            c=dataclasses.field(default_factory=list, init=False, compare=False, hash=True),
            d=dataclasses.field(default=3, repr=False, kw_only=True),
        ),
        FROZEN,
    ),
    "kw-only-and-no-match-args": (_shape_body("Named", "Doc.", {"a": "int"}), {"kw_only": True, "match_args": False}),
    "a-field-named-self": (_shape_body("Selfish", "Doc.", {"self": "int", "other": "int"}), FROZEN),
    "its-own-repr-and-eq": (
        _shape_body("Custom", "Doc.", {"a": "int"}, __repr__=lambda self: "mine", __eq__=lambda self, o: True),
        {},
    ),
    "a-post-init": (_shape_body("Checked", "Doc.", {"a": "int"}, __post_init__=lambda self: None), FROZEN),
    "no-fields": (_shape_body("Empty", "Doc.", {}), FROZEN),
    "defaults-of-their-own": (
        _shape_body("Held", "Doc.", {"a": "object", "b": "object"}, a=TOKEN, b=dataclasses.field(default=TOKEN)),
        FROZEN,
    ),
}


def _install_recipe(body: dict[str, Any], options: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Make this body's recipe as the generator does (through JSON, rendered and compiled as the module is)
    and let outagecheck.classes use it (and only it)."""
    _, recipe = recipes.describe(_made(body), options)
    assert "unsupported" not in recipe, recipe
    namespace: dict[str, Any] = {}
    source = recipes.render([json.loads(json.dumps(recipe))])
    exec(compile(source, str(SOURCE), "exec", dont_inherit=True), namespace)
    monkeypatch.setattr(classes, "RECIPES", namespace["RECIPES"])


@written_for_this_python
@pytest.mark.parametrize(("body", "options"), list(SHAPES.values()), ids=list(SHAPES))
def test_a_recipe_the_generator_writes_builds_the_class_dataclasses_makes(
    body: dict[str, Any], options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_recipe(body, options, monkeypatch)
    ours, twin, fell_back = _pair(body, options)
    assert not fell_back
    assert differences(ours, twin) == []
    # And once it no longer fits (another field), dataclasses builds it.
    changed = body | {"__annotations__": body["__annotations__"] | {"added": "int"}, "added": 0}
    ours, twin, fell_back = _pair(changed, options)
    assert fell_back
    assert differences(ours, twin) == []


HIDDEN, PLAIN = SHAPES["init-off-fields"][0], SHAPES["no-docstring"][0]
CHANGED: dict[str, tuple[dict[str, Any], dict[str, Any], bool]] = {
    # (the body the recipe was written from, the body now, whether dataclasses must build it)
    "another-default-value": (HIDDEN, HIDDEN | {"b": dataclasses.field(default=2, init=False)}, False),
    "another-default-value-shown-in-the-generated-doc": (PLAIN, PLAIN | {"b": "y"}, True),
    "a-field()-parameter": (HIDDEN, HIDDEN | {"d": dataclasses.field(default=3, repr=True, kw_only=True)}, True),
    "field()-metadata": (
        HIDDEN,
        HIDDEN | {"d": dataclasses.field(default=3, repr=False, kw_only=True, metadata={1: 2})},
        True,
    ),
    "kw_only-dropped": (HIDDEN, HIDDEN | {"d": dataclasses.field(default=3, repr=False)}, True),
    "another-factory": (
        HIDDEN,
        HIDDEN | {"c": dataclasses.field(default_factory=set, init=False, compare=False, hash=True)},
        False,
    ),
}


@written_for_this_python
@pytest.mark.parametrize(("written", "now", "falls_back"), list(CHANGED.values()), ids=list(CHANGED))
def test_a_changed_field_keeps_its_recipe_only_when_the_result_is_the_same(
    written: dict[str, Any], now: dict[str, Any], falls_back: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_recipe(written, FROZEN, monkeypatch)
    ours, twin, fell_back = _pair(now, FROZEN)
    assert fell_back is falls_back
    assert differences(ours, twin) == []


@written_for_this_python
@pytest.mark.parametrize(
    "now",
    [HIDDEN | {"b": dataclasses.field(default=[], init=False)}, PLAIN | {"b": []}],
    ids=["in-a-field()", "plain"],
)
def test_a_mutable_default_where_the_recipe_has_a_value_is_refused_as_dataclasses_refuses_it(
    now: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    written = HIDDEN if "c" in now else PLAIN
    _install_recipe(written, FROZEN, monkeypatch)
    with pytest.raises(ValueError, match="mutable default <class 'list'> for field b is not allowed") as theirs:
        dataclasses.dataclass(_made(now), **FROZEN)
    with pytest.raises(ValueError, match=str(theirs.value)):
        BUILD(_made(now), **FROZEN)


UNDESCRIBED = {
    "slots": (_shape_body("Slotted", "Doc.", {"a": "int"}), {"slots": True}, "options the recipe does not take"),
    "a-classvar": (
        _shape_body("Counted", "Doc.", {"a": "int", "n": ClassVar[int]}),
        {},
        "ClassVar, InitVar or KW_ONLY",
    ),
    "a-kw-only-marker": (
        _shape_body("Marked", "Doc.", {"a": "int", "_": dataclasses.KW_ONLY}),
        {},
        "ClassVar, InitVar",
    ),
    "real-annotations": (_shape_body("Typed", "Doc.", {"a": int}), {}, "annotations that are not strings"),
}


@written_for_this_python  # the generator notes what this Python's dataclasses compiles
@pytest.mark.parametrize(("body", "options", "reason"), list(UNDESCRIBED.values()), ids=list(UNDESCRIBED))
def test_the_generator_names_what_a_recipe_cannot_describe(
    body: dict[str, Any], options: dict[str, Any], reason: str
) -> None:
    made, recipe = recipes.describe(_made(body), options)
    assert recipe["unsupported"].startswith(reason)
    assert dataclasses.is_dataclass(made)  # by dataclasses itself, as it would be at import
