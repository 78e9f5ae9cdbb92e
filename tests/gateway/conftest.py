from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from providers.spark.types import SparkRole
from tests.harness import Gateway, Sandbox, spark_stack


@pytest.fixture
async def stack() -> AsyncIterator[tuple[Sandbox, Gateway]]:
    async with spark_stack(SparkRole.PRIVATE) as pair:
        yield pair


@pytest.fixture
def sandbox(stack: tuple[Sandbox, Gateway]) -> Sandbox:
    return stack[0]


@pytest.fixture
def gateway(stack: tuple[Sandbox, Gateway]) -> Gateway:
    return stack[1]
