"""``@record``: a dataclass that is cheap to define.

Why: start-up (issue 12). Every ``config`` and ``convert`` defines ~65 dataclasses while it
imports, and on Python 3.10–3.12 ``@dataclass(frozen=True, slots=True)`` compiles six functions
from source for each one (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__``, ``__delattr__``): ~0.7 ms a class, a quarter of a small ``convert``.

``@record`` makes the same class — same fields (``dataclasses.fields``, ``replace``,
``asdict`` work), same ``__init__`` signature and defaults, same ``repr``, equality, hash,
immutability (``FrozenInstanceError``), ``__match_args__`` and pickling — but compiles only
``__init__``, the one method whose speed matters (lowering a 1000-service project builds
tens of thousands of records). The others are closures over ``operator.attrgetter``, which is
as fast as the generated code. Field processing (defaults, ``field()``, ``ClassVar``, slots) is
still the standard library's: ``dataclass(init=False, repr=False, eq=False)`` compiles nothing.

``tests/test_records.py`` checks every record class in the package against the standard
library's dataclass of the same fields. Options: ``frozen`` (default True) and ``slots``
(default True), as for ``dataclass``; ``InitVar`` and ``kw_only`` are not supported (a
``TypeError`` at definition says so — use ``dataclass`` there).
"""
from __future__ import annotations

import dataclasses
import reprlib
from dataclasses import MISSING, FrozenInstanceError
from operator import attrgetter



class _Factory:
    """The default of a parameter whose field has a ``default_factory`` (dataclasses' own marker
    is private); shown as dataclasses shows it in signatures and help."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def record(cls=None, /, *, frozen: bool = True, slots: bool = True):
    """Class decorator: ``@record`` or ``@record(frozen=False, slots=False)``."""

    def wrap(cls):
        return _make(cls, frozen, slots)

    return wrap if cls is None else wrap(cls)


def _make(cls, frozen: bool, slots: bool):
    own = dict(cls.__dict__)  # what the class body defined (before slots re-create the class)
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise TypeError(f"cannot overwrite attribute __setattr__ or __delattr__ in class {cls.__name__}")
    if not own.get("__doc__"):
        cls.__doc__ = cls.__name__  # dataclasses would build a doc with inspect.signature (slow); set below
    cls = dataclasses.dataclass(cls, init=False, repr=False, eq=False, slots=slots)
    fields = dataclasses.fields(cls)  # ClassVar and InitVar pseudo-fields are left out
    pseudo = [f for name, f in cls.__dataclass_fields__.items() if "InitVar" in str(f.type)]
    if pseudo or any(f.kw_only is True for f in fields):
        raise TypeError(f"{cls.__qualname__}: @record supports neither InitVar nor kw_only; use @dataclass")
    if not own.get("__doc__"):
        cls.__doc__ = f"{cls.__name__}({', '.join(f.name for f in fields)})"
    methods = {"__init__": _init(cls, fields, frozen),
               "__repr__": _repr(fields),
               "__eq__": _eq(fields)}
    if frozen:
        methods.update(_frozen(cls, fields))
    for name, method in methods.items():
        if name not in own:
            method.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)
    if frozen and slots and "__getstate__" not in own:
        cls.__getstate__, cls.__setstate__ = _getstate, _setstate
    _set_hash(cls, own, fields, frozen)
    params = cls.__dataclass_params__  # tell dataclasses (and subclasses) what this class really is
    params.init = params.repr = params.eq = True
    params.frozen = frozen
    return cls


def _init(cls, fields, frozen: bool):
    """``__init__`` compiled from source, as dataclasses writes it (same signature, defaults,
    ``default_factory`` and ``__post_init__`` handling), in one compile."""
    scope = {"__factory_marker": _FACTORY, "__set": object.__setattr__}
    params, body = ["self"], []
    for f in fields:
        default, factory = f"__default_{f.name}", f"__factory_{f.name}"
        if f.default is not MISSING:
            scope[default] = f.default
        if f.default_factory is not MISSING:
            scope[factory] = f.default_factory
        if f.init:
            if f.default is not MISSING:
                params.append(f"{f.name}={default}")
            elif f.default_factory is not MISSING:
                params.append(f"{f.name}=__factory_marker")
            else:
                params.append(f.name)
        if f.default_factory is not MISSING:
            value = f"{factory}() if {f.name} is __factory_marker else {f.name}" if f.init else f"{factory}()"
        elif f.init:
            value = f.name
        elif f.default is not MISSING:
            value = default
        else:
            continue  # init=False without a default: left unset, as dataclasses does
        body.append(f"__set(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    names = ", ".join(scope)
    source = (f"def __make_init({names}):\n"
              f" def __init__({', '.join(params)}):\n"
              + "".join(f"  {line}\n" for line in body or ["pass"])
              + " return __init__\n")
    namespace: dict = {}
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), {"__builtins__": __builtins__}, namespace)
    init = namespace["__make_init"](**scope)
    init.__annotations__ = {**{f.name: f.type for f in fields if f.init}, "return": None}
    return init


def _values(fields):
    """A function from an instance to the tuple of the given fields' values."""
    names = [f.name for f in fields]
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda self: (get(self),)
    return lambda self: ()


def _repr(fields):
    shown = [f.name for f in fields if f.repr]
    values = _values([f for f in fields if f.repr])

    @reprlib.recursive_repr()
    def __repr__(self):
        return (f"{self.__class__.__qualname__}("
                + ", ".join(f"{name}={value!r}" for name, value in zip(shown, values(self))) + ")")

    return __repr__


def _eq(fields):
    key = _values([f for f in fields if f.compare])

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _frozen(cls, fields):
    names = frozenset(f.name for f in fields)

    def __setattr__(self, name, value):
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}


def _set_hash(cls, own: dict, fields, frozen: bool) -> None:
    """dataclasses' rule for ``eq=True``, ``unsafe_hash=False``: an explicit ``__hash__`` in the
    body stays; otherwise frozen classes hash their compared fields, and mutable ones are
    unhashable."""
    explicit = own.get("__hash__", MISSING)
    if not (explicit is MISSING or (explicit is None and "__eq__" in own)):
        return
    if not frozen:
        cls.__hash__ = None
        return
    key = _values([f for f in fields if (f.compare if f.hash is None else f.hash)])

    def __hash__(self):
        return hash(key(self))

    __hash__.__qualname__ = f"{cls.__qualname__}.__hash__"
    cls.__hash__ = __hash__


def _getstate(self):
    """Pickling a frozen slotted record (slots have no ``__dict__``; ``__setattr__`` refuses)."""
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _setstate(self, state):
    for f, value in zip(dataclasses.fields(self), state):
        object.__setattr__(self, f.name, value)
