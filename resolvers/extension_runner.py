"""Strawberry's extension hooks, looked up once per extension class instead of per request.

For every operation Strawberry's runner builds four context managers (operation, parse,
validate, execute) and, in each, inspects every extension's class for the hook and wraps
it with `contextlib.contextmanager` (a `functools.update_wrapper` each time): ~16 lookups
and wrappers per request, a fixed cost larger than running the hooks. Here the wrapper is
made once per class and hook; a phase no extension hooks costs nothing. The hooks run as
before: in extension order, entered through an exit stack, undone in reverse.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any, Final

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

Wrapper = Callable[[SchemaExtension], Any]
"""Makes the extension's hook into a context manager for one run."""


_WRAPPERS: Final[dict[tuple[type[SchemaExtension], str], tuple[Wrapper, bool] | None]] = {}


def _wrapper(extension_type: type[SchemaExtension], hook: str) -> tuple[Wrapper, bool] | None:
    """`_wrap`, once per class and hook."""
    key = (extension_type, hook)
    if key not in _WRAPPERS:
        _WRAPPERS[key] = _wrap(extension_type, hook)
    return _WRAPPERS[key]


def _wrap(extension_type: type[SchemaExtension], hook: str) -> tuple[Wrapper, bool] | None:
    """The context-manager factory of a class's hook and whether it is async (None: the
    class does not override the hook), as Strawberry's `get_hook` decides it."""
    function = getattr(extension_type, hook)
    if function is getattr(SchemaExtension, hook):
        return None
    if inspect.isgeneratorfunction(function):
        return contextlib.contextmanager(function), False
    if inspect.isasyncgenfunction(function):
        return contextlib.asynccontextmanager(function), True
    if not callable(function):
        raise ValueError(f"Hook {hook} on {extension_type} must be callable")
    return _plain(function)


def _plain(function: Callable[[SchemaExtension], Any]) -> tuple[Wrapper, bool]:
    """A hook that is a plain (or async) function: called on entry."""
    if inspect.iscoroutinefunction(function):

        @contextlib.asynccontextmanager
        async def awaited(extension: SchemaExtension) -> Any:
            await function(extension)
            yield

        return awaited, True

    @contextlib.contextmanager
    def called(extension: SchemaExtension) -> Any:
        function(extension)
        yield

    return called, False


class _NoHooks:
    """A phase that no extension hooks: entering and leaving it does nothing."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        return None


NO_HOOKS: Final = _NoHooks()
Phase = ExtensionContextManagerBase | _NoHooks


def _phase(kind: type[ExtensionContextManagerBase], extensions: list[SchemaExtension]) -> Phase:
    hooks: list[WrappedHook] = []
    for extension in extensions:
        found = _wrapper(type(extension), kind.HOOK_NAME)
        if found is not None:
            wrapper, is_async = found
            hooks.append(WrappedHook(extension, wrapper.__get__(extension), is_async))
    if not hooks:
        return NO_HOOKS
    phase = kind.__new__(kind)  # Strawberry's own enter/exit, without its per-call lookup
    phase.hooks = hooks
    return phase


class CachedHooksRunner(SchemaExtensionsRunner):
    """Strawberry's runner with the hook lookup cached per extension class."""

    def operation(self) -> Any:
        return _phase(OperationContextManager, self.extensions)

    def validation(self) -> Any:
        return _phase(ValidationContextManager, self.extensions)

    def parsing(self) -> Any:
        return _phase(ParsingContextManager, self.extensions)

    def executing(self) -> Any:
        return _phase(ExecutingContextManager, self.extensions)
