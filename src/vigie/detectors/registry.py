"""The detector registry: versioned names to factories.

Built-in detectors are registered in :mod:`vigie.detectors.builtin` (which also builds the
default registry), through the same entry-point
group (``vigie.detectors``) that plugins use, so a third-party detector is a package that
declares::

    [project.entry-points."vigie.detectors"]
    my_detectors = "my_package:register"

where ``register(registry)`` calls :meth:`Registry.register`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vigie.detectors.base import Detector
from vigie.errors import RegistryError
from vigie.policy import Policy

__all__ = ["DetectorFactory", "Registry"]

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
