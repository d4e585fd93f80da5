"""``@record`` behaves as the standard library's ``@dataclass`` of the same fields.

Two halves: hand-written classes covering each dataclass feature ``record`` claims (built twice,
once with each decorator, and compared), and every record class in the package compared with
a dataclass made from its fields (so a record that drifts from dataclass semantics fails here).
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import pickle
import pkgutil
import re
from dataclasses import FrozenInstanceError, InitVar, dataclass, field
from typing import ClassVar, Optional

import pytest

import compose2ecs
from compose2ecs import records
from compose2ecs.records import record


def _std(frozen=True, slots=True):
    return dataclass(frozen=frozen, slots=slots)


def _fast(frozen=True, slots=True):
    return record(frozen=frozen, slots=slots)


def _point(decorate):
    @decorate
    class Point:
        x: int
        y: int = 0
        tags: tuple = ()
        note: Optional[str] = field(default=None, compare=False, repr=False)
        items: list = field(default_factory=list, hash=False)
        kind: ClassVar[str] = "point"

        def norm(self) -> int:
            return abs(self.x) + abs(self.y)

    return Point


OPTIONS = [dict(frozen=True, slots=True), dict(frozen=True, slots=False),
           dict(frozen=False, slots=True), dict(frozen=False, slots=False)]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(k for k, v in o.items() if v) or "plain")
def test_same_behaviour_as_dataclass(options):
    std, fast = _point(_std(**options)), _point(_fast(**options))
    assert str(inspect.signature(fast)) == str(inspect.signature(std))
    assert [f.name for f in dataclasses.fields(fast)] == [f.name for f in dataclasses.fields(std)]
    assert fast.__match_args__ == std.__match_args__ == ("x", "y", "tags", "note", "items")
    a, b = fast(1, 2, note="n"), std(1, 2, note="n")
    assert repr(a) == repr(b) == "_point.<locals>.Point(x=1, y=2, tags=(), items=[])"
    assert a.items is not fast(1).items  # a fresh default per instance
    assert a == fast(1, 2, note="other") and a != fast(1, 3) and a != b  # note is not compared
    assert (a == b) is False and a.__eq__(b) is NotImplemented
    assert dataclasses.asdict(a) == dataclasses.asdict(b)
    assert dataclasses.replace(a, y=5) == fast(1, 5) and a.norm() == 3 and fast.kind == "point"
    if options["frozen"]:
        a = fast(1, 2, items=())  # hashable: hash=False leaves the list out, but a tuple anyway
        assert hash(a) == hash(fast(1, 2, items=(), note="x"))
        for target in (a, std(1, 2)):
            with pytest.raises(FrozenInstanceError, match="cannot assign to field 'x'"):
                target.x = 3
            with pytest.raises(FrozenInstanceError, match="cannot delete field 'y'"):
                del target.y
        assert fast.__dataclass_params__.frozen
    else:
        assert fast.__hash__ is None and std.__hash__ is None
        a.x = 7
        assert a.x == 7
    if options["slots"]:
        assert "__slots__" in fast.__dict__ and not hasattr(fast(1), "__dict__")


@record
class Pickled:
    name: str
    size: int = 1


def test_frozen_slotted_records_pickle():
    item = Pickled("a", 2)
    assert pickle.loads(pickle.dumps(item)) == item


def test_post_init_and_fields_left_out_of_init():
    for decorate in (_std(), _fast()):
        @decorate
        class Sized:
            text: str
            length: int = field(init=False)
            seen: list = field(init=False, default_factory=list)
            flag: bool = field(init=False, default=True)

            def __post_init__(self):
                object.__setattr__(self, "length", len(self.text))

        item = Sized("abc")
        assert (item.length, item.seen, item.flag) == (3, [], True)
        assert list(inspect.signature(Sized).parameters) == ["text"]


def test_methods_written_in_the_class_are_kept():
    def custom(decorate, explicit_hash):
        @decorate
        class Custom:
            value: int

            def __eq__(self, other):
                return True

            def __repr__(self):
                return "custom"

            if explicit_hash:
                def __hash__(self):
                    return 7

        return Custom

    for explicit_hash in (False, True):
        std, fast = custom(_std(), explicit_hash), custom(_fast(), explicit_hash)
        assert fast(1) == fast(2) and repr(fast(1)) == "custom"
        assert (hash(fast(1)) == 7) == (hash(std(1)) == 7) == explicit_hash


def test_subclasses_see_a_frozen_dataclass():
    @record
    class Base:
        a: int

    @dataclass(frozen=True)
    class Child(Base):
        b: int = 0

    assert Child(1, 2).a == 1
    with pytest.raises(TypeError, match="non-frozen dataclass from a frozen one"):
        @dataclass
        class Mutable(Base):
            c: int = 0


def test_unsupported_features_are_refused_at_definition():
    with pytest.raises(TypeError, match="InitVar"):
        @record
        class WithInitVar:
            seed: InitVar[int]
    with pytest.raises(TypeError, match="kw_only"):
        @record
        class WithKwOnly:
            a: int = field(kw_only=True)
    with pytest.raises(TypeError, match="__setattr__"):
        @record
        class Overriding:
            a: int

            def __setattr__(self, name, value):
                pass


# ------------------------------------------------------------------ every record in the package

def _package_records() -> list:
    found = {}
    for info in pkgutil.walk_packages(compose2ecs.__path__, "compose2ecs."):
        if info.name.endswith("__main__"):  # running it is the command line
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # optional extras (boto3 is a dependency, but be tolerant)
            continue
        for value in vars(module).values():
            init = getattr(value, "__init__", None)
            code = getattr(init, "__code__", None)
            if isinstance(value, type) and code is not None and code.co_filename.startswith("<record "):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


RECORDS = _package_records()


def test_the_package_uses_records():
    assert len(RECORDS) > 50  # the models are records (start-up, issue 12); this test would pass vacuously


def _oracle(cls):
    """The standard library's dataclass with the same fields and options."""
    fields = [(f.name, f.type, field(default=f.default, default_factory=f.default_factory, init=f.init,
                                     repr=f.repr, hash=f.hash, compare=f.compare, metadata=f.metadata))
              for f in dataclasses.fields(cls)]
    body = {k: v for k, v in vars(cls).items() if k in ("__post_init__", "__repr__", "__eq__", "__hash__")
            and getattr(getattr(v, "__code__", None), "co_filename", "") != records.__file__}
    return dataclasses.make_dataclass(cls.__name__, fields, namespace=body,
                                      frozen=cls.__dataclass_params__.frozen, slots="__slots__" in vars(cls))


def _sample_arguments(cls) -> dict:
    return {p.name: f"<{p.name}>" for p in inspect.signature(cls).parameters.values() if p.default is p.empty}


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_package_record_matches_dataclass(cls):
    oracle = _oracle(cls)
    assert str(inspect.signature(cls)) == str(inspect.signature(oracle))
    arguments = _sample_arguments(cls)
    try:
        expected = oracle(**arguments)
    except Exception as error:  # a __post_init__ that checks its input: the record must refuse alike
        with pytest.raises(type(error)):
            cls(**arguments)
        return
    item = cls(**arguments)
    def shown(value) -> str:  # default factories make distinct objects: their addresses differ
        return re.sub(r" at 0x[0-9a-f]+", "", repr(value))

    assert shown(item).replace(cls.__qualname__, cls.__name__, 1) == shown(expected)
    assert (item == dataclasses.replace(item)) == (expected == dataclasses.replace(expected))
    assert (cls.__hash__ is None) == (oracle.__hash__ is None)
    if cls.__dataclass_params__.frozen:
        name = dataclasses.fields(cls)[0].name if dataclasses.fields(cls) else "anything"
        with pytest.raises(FrozenInstanceError):
            setattr(item, name, None)
