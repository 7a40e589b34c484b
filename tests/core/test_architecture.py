"""The layout's contracts: no circle, no upward import between layers (docs/architecture.md)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import vigie
from vigie.errors import VigieError

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports() -> str:
    path = Path(sys.executable).with_name("lint-imports")
    found = str(path) if path.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    return found


def test_import_contracts_are_kept() -> None:
    run = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:]
    assert "2 kept, 0 broken" in run.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    # The contract can fail: a copy of the package where text/ imports the CLI is refused.
    shutil.copytree(ROOT / "src", tmp_path / "src")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    urls = tmp_path / "src" / "vigie" / "text" / "urls.py"
    urls.write_text(urls.read_text(encoding="utf-8") + "\nimport vigie.cli.app\n",
                    encoding="utf-8")
    env = {"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([_lint_imports(), "--no-cache"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300, env=env)
    assert run.returncode != 0
    assert "vigie.text is not allowed to import vigie.cli" in run.stdout


def test_every_public_error_derives_from_vigie_error() -> None:
    strays = []
    for info in pkgutil.walk_packages(vigie.__path__, "vigie."):
        if ".migrations." in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, Exception)
                    and value.__module__ == info.name and not name.startswith("_")
                    and not issubclass(value, VigieError)):
                strays.append(f"{info.name}.{name}")
    assert strays == [], f"errors outside the tree drawn in vigie/errors.py: {strays}"
