"""The detector registry: versioned names to factories.

Built-in detectors are registered in :mod:`vigie.registrations`, through the same entry-point
group (``vigie.detectors``) that plugins use, so a third-party detector is a package that
declares::

    [project.entry-points."vigie.detectors"]
    my_detectors = "my_package:register"

where ``register(registry)`` calls :meth:`Registry.register`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from vigie.detectors.base import Detector
from vigie.errors import PolicyError, RegistryError
from vigie.policy import Policy

__all__ = ["DetectorFactory", "Registry", "default_registry", "parse_options"]

_T = TypeVar("_T", bound=BaseModel)

#: Builds a detector from its options (the policy's ``detectors.<name>`` mapping) and the policy.
DetectorFactory = Callable[[Mapping[str, Any], Policy], Detector]


class Registry:
    """Detector factories by versioned name, with the signals each provides."""

    def __init__(self) -> None:
        self._factories: dict[str, DetectorFactory] = {}
        self._provides: dict[str, tuple[str, ...]] = {}

    def register(self, name: str, provides: tuple[str, ...], factory: DetectorFactory) -> None:
        """Register ``factory`` under ``name``.

        Raises:
            RegistryError: ``name`` is taken or malformed.
        """
        if name in self._factories:
            raise RegistryError(f"detector {name!r} is already registered")
        if not name.rsplit(".", 1)[-1].startswith("v"):
            raise RegistryError(f"detector name {name!r} must end with a version (.v1)")
        self._factories[name] = factory
        self._provides[name] = provides

    def names(self) -> tuple[str, ...]:
        """Registered names, sorted."""
        return tuple(sorted(self._factories))

    def provides(self, name: str) -> tuple[str, ...]:
        """Signals ``name`` may emit."""
        self._check(name)
        return self._provides[name]

    def create(self, name: str, options: Mapping[str, Any], policy: Policy) -> Detector:
        """Build detector ``name``.

        Raises:
            RegistryError: unknown name (the message lists the registered ones).
            PolicyError: invalid options.
        """
        self._check(name)
        detector = self._factories[name](options, policy)
        undeclared = set(detector.info.provides) - set(self._provides[name])
        if detector.info.name != name or undeclared:
            raise RegistryError(
                f"detector {name!r} declares name {detector.info.name!r} and signals "
                f"{sorted(detector.info.provides)}; registered with {list(self._provides[name])}"
            )
        return detector

    def _check(self, name: str) -> None:
        if name not in self._factories:
            raise RegistryError(
                f"unknown detector {name!r}; registered: {', '.join(self.names()) or '(none)'}"
            )


def parse_options(model: type[_T], name: str, options: Mapping[str, Any]) -> _T:
    """Validate a detector's options from the policy.

    Raises:
        PolicyError: naming ``detectors.<name>.<key>`` and the problem.
    """
    try:
        return model.model_validate(dict(options))
    except ValidationError as error:
        problems = "; ".join(
            f"detectors.{name}.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
        raise PolicyError(f"invalid detector options: {problems}") from None


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry with built-ins and every installed plugin (built once per process)."""
    global _DEFAULT
    if _DEFAULT is None:
        registry = Registry()
        from vigie.registrations import register_builtins

        register_builtins(registry)
        for entry in entry_points(group="vigie.detectors"):
            loaded = entry.load()
            if loaded is not register_builtins:
                loaded(registry)
        _DEFAULT = registry
    return _DEFAULT
