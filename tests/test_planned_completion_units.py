"""Planned completion on a small schema: every way data can misfit a plan gives exactly the
answer graphql-core's own completion gives (data, errors, paths)."""

from __future__ import annotations

import enum
import gc
import weakref
from typing import Annotated, Any

import pytest
import strawberry
from strawberry.extensions import ParserCache

from resolvers import plan_source, planned_completion
from resolvers.planned_completion import PlannedExecutionContext


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Tag:
    label: str
    weight: int | None


@strawberry.type
class Item:
    name: str
    colour: Colour | None
    tags: list[Tag]
    maybe_tags: list[Tag | None] | None
    score: float | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


class Loose:
    """Data as a provider might hand it over: any attribute, any value."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


ITEMS: list[Any] = [
    Item(name="a", colour=Colour.RED, tags=[Tag(label="x", weight=1)], maybe_tags=None, score=1.5),
    Loose(name=None, colour=Colour.BLUE, tags=[], maybe_tags=[None], score=None),
    Loose(name="c", colour="not a colour", tags=[], maybe_tags=None, score=2),
    Loose(name="d", colour=None, tags=[Loose(label=None, weight=2)], maybe_tags=None, score=1),
    Loose(name="e", colour=None, tags="not a list", maybe_tags=None, score="NaN?"),
    Loose(name="f", colour=None, tags=[], maybe_tags=[Loose(label="y", weight="3")], score=0.0),
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS

    @strawberry.field
    def strict_items(self) -> list[Item]:
        return ITEMS


def _schemas() -> tuple[strawberry.Schema, strawberry.Schema]:
    planned = strawberry.Schema(query=Query, execution_context_class=PlannedExecutionContext)
    return planned, strawberry.Schema(query=Query)


DOCUMENTS = [
    "{ items { name colour score tags { label weight } maybeTags { label weight } } }",
    "{ strictItems { name } }",
    "{ items { __typename n: name c: colour t: tags { l: label __typename } } }",
    "{ items { name shout tags { label } } }",
    "{ items { ...F } } fragment F on Item { name tags { weight } }",
    "query ($on: Boolean!) { items { name @include(if: $on) colour @skip(if: $on) } }",
    "{ items { name } strictItems { colour } }",
]


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("flag", [True, False])
async def test_planned_and_general_completion_agree(document: str, flag: bool) -> None:
    planned, general = _schemas()
    variables = {"on": flag} if "$on" in document else None
    ours = await planned.execute(document, variable_values=variables)
    reference = await general.execute(document, variable_values=variables)
    assert ours.data == reference.data
    assert [e.formatted for e in ours.errors or ()] == [e.formatted for e in reference.errors or ()]


async def test_the_plan_is_really_used_for_plain_selections() -> None:
    """Guards the optimisation itself: a plain selection must not go field by field."""
    resolved: list[str] = []

    class Counting(PlannedExecutionContext):
        def execute_field(self, parent_type: Any, *args: Any, **kwargs: Any) -> Any:
            resolved.append(parent_type.name)
            return super().execute_field(parent_type, *args, **kwargs)

    schema = strawberry.Schema(query=Query, execution_context_class=Counting)
    result = await schema.execute("{ items { name tags { label } } }")
    assert result.data is not None
    assert resolved.count("Query") == 1
    # Only the three items whose data misfits the plan are completed field by field:
    # d (a tag without its label) and e (a string for the tag list) 2 fields each, b only
    # its null name (a non-null error ends the object).
    assert resolved.count("Item") == 2 + 2 + 1


@strawberry.interface
class Animal:
    name: str


@strawberry.type
class Dog(Animal):
    barks: bool


@strawberry.type
class Cat(Animal):
    lives: int | None

    @strawberry.field
    def meow(self) -> str:
        return f"{self.name}: meow"


Pet = Annotated[Dog | Cat, strawberry.union("Pet")]

ANIMALS: list[Any] = [
    Dog(name="rex", barks=True),
    Cat(name="tom", lives=9),
    Cat(name="kit", lives=None),
]
ODD_ANIMALS: list[Any] = [*ANIMALS, None, Loose(name="ghost", barks=False)]


def _without_barks() -> Dog:
    dog = Dog(name="mute", barks=False)
    del dog.barks  # an object whose attribute cannot be read at all
    return dog


def _broken_animals() -> list[Any]:
    # a new error each time: graphql-core raises the item itself, which keeps its frames
    return [*ANIMALS, _without_barks(), ValueError("an item that failed")]


@strawberry.type
class Zoo:
    @strawberry.field
    def animals(self) -> list[Animal]:
        return ANIMALS

    @strawberry.field
    def odd_animals(self) -> list[Animal | None]:
        return ODD_ANIMALS

    @strawberry.field
    def strict_odd_animals(self) -> list[Animal]:
        return ODD_ANIMALS

    @strawberry.field
    def broken_animals(self) -> list[Animal | None]:
        return _broken_animals()

    @strawberry.field
    def pets(self) -> list[Pet]:
        return ANIMALS

    @strawberry.field
    def animal_tuple(self) -> list[Animal]:
        return tuple(ANIMALS)  # type: ignore[return-value]


ZOO_DOCUMENTS = [
    "{ animals { name ... on Dog { barks } ... on Cat { lives } } }",
    "{ animals { __typename } animalTuple { name } }",
    "{ oddAnimals { name __typename } }",
    "{ strictOddAnimals { name } }",
    "{ pets { __typename ... on Dog { name barks } ... on Cat { lives } } }",
    "{ a: animals { name } b: animals { ... on Cat { lives name } } }",
    "{ brokenAnimals { name ... on Dog { barks } } }",
    "{ brokenAnimals { name } }",
    "{ animals { name ... on Cat { meow } } }",
]


@pytest.mark.parametrize("document", ZOO_DOCUMENTS)
async def test_lists_of_interfaces_and_unions_agree_with_graphql_core(document: str) -> None:
    planned = strawberry.Schema(
        query=Zoo, types=[Dog, Cat], execution_context_class=PlannedExecutionContext
    )
    general = strawberry.Schema(query=Zoo, types=[Dog, Cat])
    ours, reference = await planned.execute(document), await general.execute(document)
    assert ours.data == reference.data
    assert [e.formatted for e in ours.errors or ()] == [e.formatted for e in reference.errors or ()]


async def test_a_list_of_interface_items_is_completed_in_one_loop() -> None:
    """Guards the list-level plan: fitting items never reach graphql-core one by one."""
    per_item: list[str] = []

    class Counting(PlannedExecutionContext):
        def complete_abstract_value(self, return_type: Any, *args: Any, **kwargs: Any) -> Any:
            per_item.append(return_type.name)
            return super().complete_abstract_value(return_type, *args, **kwargs)

    schema = strawberry.Schema(query=Zoo, types=[Dog, Cat], execution_context_class=Counting)
    fitting = await schema.execute("{ animals { name ... on Dog { barks } } }")
    assert fitting.errors is None and per_item == []
    misfit = await schema.execute("{ oddAnimals { name } }")
    assert misfit.errors  # the ghost has no type: graphql-core completes and reports it
    assert per_item == ["Animal"] * 4  # every non-null item, once, the general way


def test_the_compiled_plan_sources_stay_bounded() -> None:
    for width in range(plan_source.CODE_CACHE_SIZE + 50):
        plan_source.compiled(f"x = {width}")
    assert plan_source.compiled.cache_info().currsize == plan_source.CODE_CACHE_SIZE
    misses = plan_source.compiled.cache_info().misses
    plan_source.compiled("x = 0")  # the least recently used went first: compiled again
    assert plan_source.compiled.cache_info().misses == misses + 1


async def test_bailing_out_keeps_no_request_alive() -> None:
    """A plan that gives up must not keep the requests it gave up on (their frames)."""
    alive: weakref.WeakSet[Any] = weakref.WeakSet()

    class Tracked(PlannedExecutionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            alive.add(self)

    schema = strawberry.Schema(query=Zoo, types=[Dog, Cat], execution_context_class=Tracked)
    for _ in range(20):  # the Cat has a resolver: each request bails out of the list plan
        result = await schema.execute("{ animals { name ... on Cat { meow } } }")
        assert result.errors is None and result.data is not None
    gc.collect()
    assert len(alive) == 0


def _parse_cached_schemas() -> tuple[strawberry.Schema, strawberry.Schema, list[str]]:
    """A planned schema that parses each text once (as the gateway does), counting the
    plans it compiles; and the general reference."""
    compiled: list[str] = []

    class Counting(PlannedExecutionContext):
        def _compile(self, object_type: Any, field_details_list: Any) -> Any:
            compiled.append(object_type.name)
            return super()._compile(object_type, field_details_list)

    planned = strawberry.Schema(
        query=Query, execution_context_class=Counting, extensions=[ParserCache]
    )
    return planned, strawberry.Schema(query=Query), compiled


async def test_a_document_seen_before_reuses_its_plans() -> None:
    planned, general, compiled = _parse_cached_schemas()
    document = "{ items { name colour tags { label } } }"
    first = await planned.execute(document)
    assert compiled and first.data == (await general.execute(document)).data
    compiled.clear()
    again = await planned.execute(document)
    assert again.data == first.data
    assert compiled == []  # nothing compiled the second time


async def test_reused_plans_follow_the_variables_of_skip_and_include() -> None:
    planned, general, _ = _parse_cached_schemas()
    document = (
        "query ($on: Boolean!) { items { name @include(if: $on) colour @skip(if: $on) "
        "tags { label @include(if: $on) weight } } }"
    )
    for flag in (True, False, True, False):
        ours = await planned.execute(document, variable_values={"on": flag})
        reference = await general.execute(document, variable_values={"on": flag})
        assert ours.data == reference.data


async def test_plans_without_directives_serve_every_variable_value() -> None:
    planned, general, compiled = _parse_cached_schemas()
    document = "query ($x: String) { items { name ...F } } fragment F on Item { colour }"
    await planned.execute(document, variable_values={"x": "first"})
    compiled.clear()
    for value in ("second", "third"):
        ours = await planned.execute(document, variable_values={"x": value})
        assert ours.data == (await general.execute(document, variable_values={"x": value})).data
    assert compiled == []


async def test_the_kept_plans_stay_bounded() -> None:
    planned, _, _ = _parse_cached_schemas()
    for n in range(planned_completion.SHARED_PLANS_SIZE + 20):
        await planned.execute(f"{{ items {{ a{n}: name }} }}")
    assert len(planned_completion._SHARED_PLANS) <= planned_completion.SHARED_PLANS_SIZE
