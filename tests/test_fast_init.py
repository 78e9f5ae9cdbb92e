"""`fast_init` builds the same instances as a frozen dataclass's own `__init__`, or refuses."""

from __future__ import annotations

import dataclasses
from dataclasses import InitVar, dataclass, field

import pytest

from providers.fast_init import fast_init
from providers.model import ContactRecord, Email, EmailKind, ProviderName


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 2
    label: str | None = None


def test_same_instance_by_position_keyword_and_default() -> None:
    new_point = fast_init(Point)
    pairs = [
        (new_point(1), Point(1)),
        (new_point(1, 5), Point(1, 5)),
        (new_point(1, label="a"), Point(1, label="a")),
        (new_point(x=3), Point(x=3)),
    ]
    for built, reference in pairs:
        assert type(built) is Point
        assert built == reference
        assert repr(built) == repr(reference)
        assert hash(built) == hash(reference)


def test_built_instances_stay_frozen() -> None:
    point = fast_init(Point)(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]  # the point of the test


def test_model_records_build_alike() -> None:
    email = fast_init(Email)("a@example.org", EmailKind.SECONDARY, True)
    assert email == Email("a@example.org", EmailKind.SECONDARY, True, True)
    record = fast_init(ContactRecord)(ProviderName.SPARK, "1", emails=(email,))
    assert record == ContactRecord(ProviderName.SPARK, "1", emails=(email,))


def test_missing_and_unknown_arguments_fail_like_init() -> None:
    new_point = fast_init(Point)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'x'"):
        new_point()  # type: ignore[call-arg]  # the point of the test
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        new_point(1, z=3)  # type: ignore[call-arg]  # the point of the test


@dataclass(frozen=True)
class NoSlots:
    x: int


@dataclass(slots=True)
class NotFrozen:
    x: int


@dataclass(frozen=True, slots=True)
class PostInit:
    x: int

    def __post_init__(self) -> None:
        raise AssertionError("never skipped")


@dataclass(frozen=True, slots=True)
class Factory:
    x: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class KeywordOnly:
    x: int


@dataclass(frozen=True, slots=True)
class WithInitVar:
    x: int
    scale: InitVar[int] = 1


class Plain:
    x: int = 0


@pytest.mark.parametrize(
    ("cls", "reason"),
    [
        (NoSlots, "frozen dataclass with slots"),
        (NotFrozen, "frozen dataclass with slots"),
        (PostInit, "__post_init__"),
        (Factory, "cannot fill"),
        (KeywordOnly, "cannot fill"),
        (WithInitVar, "InitVar"),
        (Plain, "not a dataclass"),
    ],
)
def test_refuses_what_it_would_build_differently(cls: type, reason: str) -> None:
    with pytest.raises(TypeError, match=reason):
        fast_init(cls)
