"""The docs are true: every command README.md and docs/ show runs, every dashboard path answers.

Each doc's commands run in order, as real processes, in a temporary directory laid out like a
checkout (``src``, ``scripts``, ``examples``, ``policies``, ``golden``, ``pyproject.toml``
linked; ``../shared`` linked when present), prepared as README says first: ``make demo``
(its recipe without the install step) fills ``vigie-demo.sqlite``, copied to ``vigie.sqlite``,
the database commands use when none is named. Files the docs treat as the user's own
(``comments.jsonl``, ``my-policy.yaml``, ``pages.csv``...) are given from ``FILES``.
Absolute paths under ``/etc``, ``/var`` and ``/tmp`` are moved into the directory. A command
fails on an exit code other than 0 (or the one its marker names), a traceback, or (``console``
blocks) output other than the one shown.

What must not run (benchmarks, training, platforms, servers that run forever, the test suite
itself) is marked in the doc with ``<!-- docs-test: check-only REASON -->`` and is still
checked: command and options known to the CLI (see :mod:`docs_support`). Docs run in
parallel, one thread per doc, commands of one doc in order.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from docs_support import (
    DOC_FILES,
    ROOT,
    Command,
    check_static,
    commands,
    dashboard_paths,
    make_recipe,
    placeholders,
    rel,
)

SHARED = ROOT.parent / "shared"
LINKED = ("src", "scripts", "examples", "policies", "golden", "pyproject.toml")
#: The files the docs name as the reader's own, and what stands for them here.
FILES = {
    "comments.jsonl": ROOT / "src/vigie/demo/comments.jsonl",
    "my-policy.yaml": ROOT / "examples/policies/northfield.yaml",
    "connectors.yaml": ROOT / "examples/connectors.yaml",
    "pages.csv": ROOT / "tests/data/docs/pages.csv",
    "accounts.csv": ROOT / "tests/data/docs/accounts.csv",
}
DEMO_DB = "vigie-demo.sqlite"
TIMEOUT_S = 180
_MOVED_ROOTS = ("/etc/", "/var/", "/tmp/")


@dataclass
class Outcome:
    """What running one doc's commands found."""

    ran: list[str] = field(default_factory=list)
    checked_only: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    timings: list[tuple[str, float]] = field(default_factory=list)
    needs_shared: list[str] = field(default_factory=list)  # not run: ../shared is absent


def _workdir(base: Path, setup: Path | None) -> Path:
    work = base / "repo"
    work.mkdir(parents=True)
    for name in LINKED:
        (work / name).symlink_to(ROOT / name)
    if SHARED.exists():
        (base / "shared").symlink_to(SHARED)
    for name, source in FILES.items():
        shutil.copyfile(source, work / name)
    if setup is not None:
        for made in setup.glob(DEMO_DB + "*"):
            shutil.copyfile(made, work / made.name)
        shutil.copyfile(setup / DEMO_DB, work / "vigie.sqlite")
    return work


def _argv(argv: list[str], work: Path) -> tuple[list[str], dict[str, str]]:
    """The command as a process: programs from this interpreter's venv, paths moved in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env.update(PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                        os.environ.get("PYTHONPATH")])),
               NO_COLOR="1", COLUMNS="100", TERM="dumb")
    argv = list(argv)
    while argv and re.match(r"^[A-Z_]+=", argv[0]):
        name, value = argv.pop(0).split("=", 1)
        env[name] = str(work / value) if name == "PYTHONPATH" else value
    program = argv[0].removeprefix(".venv/bin/")
    bin_dir = Path(sys.executable).parent
    head = ([sys.executable, "-m", "vigie"] if program == "vigie"
            else [sys.executable] if program == "python" else [str(bin_dir / program)])
    rest = []
    for token in argv[1:]:
        if token.startswith(_MOVED_ROOTS):
            moved = work / "root" / token.lstrip("/")
            moved.parent.mkdir(parents=True, exist_ok=True)
            token = str(moved)
        rest.append(token)
    return head + rest, env


def _matches(expected: list[str], output: str) -> bool:
    """Does ``output`` read as ``expected`` (spaces folded, ``…`` matching anything)?"""
    want = " ".join(" ".join(expected).split())
    got = " ".join(output.split())
    pattern = ".*?".join(re.escape(part) for part in want.split("…"))
    return re.fullmatch(pattern, got, re.DOTALL) is not None


def _run(argv: list[str], work: Path, where: str, stdin: str = "y\n", exit_code: int = 0,
         extra_env: dict[str, str] | None = None) -> tuple[str | None, str]:
    """Run one command line; ``(failure or None, output)``."""
    process, env = _argv(argv, work)
    env.update(extra_env or {})
    try:
        done = subprocess.run(process, cwd=work, env=env, capture_output=True, text=True,
                              input=stdin, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"{where}: `{' '.join(argv)}` still running after {TIMEOUT_S} s", ""
    output = done.stdout + done.stderr
    if done.returncode != exit_code or "Traceback (most recent call last)" in output:
        return (f"{where}: `{' '.join(argv)}` exited {done.returncode}:\n"
                f"{output[-2000:]}"), output
    return None, done.stdout


def _execute(command: Command, work: Path) -> list[str]:
    argv = command.runnable_argv
    if command.program == "make":
        return [problem for target in argv[1:] for line in make_recipe(target)
                if not line[0].startswith("$(") and (problem := _run(line, work, command.where)[0])]
    failure, output = _run(argv, work, command.where, command.stdin, command.exit_code,
                           command.env)
    if failure:
        return [failure]
    if command.expected and not _matches(command.expected, output):
        return [f"{command.where}: `{command.text}` printed\n{output}\nnot what the doc "
                "shows:\n" + "\n".join(command.expected)]
    return []


def run_doc(path: Path, base: Path, setup: Path | None, skip: str | None = None) -> Outcome:
    """Check then run every command of ``path`` in order (``skip``: one already run)."""
    started = time.perf_counter()
    outcome = Outcome()
    work = _workdir(base, setup)
    for command in commands(path):
        outcome.failures += [f"{command.where}: {p}" for p in check_static(command)]
        if command.check_only is not None:
            outcome.checked_only.append(f"{command.where} `{command.text}`: {command.check_only}")
            continue
        if unmarked := placeholders(command):
            outcome.failures.append(
                f"{command.where}: `{command.text}` has placeholders {unmarked}: give real "
                "values or mark the block check-only")
            continue
        if not SHARED.exists() and any(t.startswith("../shared") for t in command.argv):
            outcome.needs_shared.append(command.where)
            continue
        outcome.ran.append(command.text)
        if command.text != skip:
            began = time.perf_counter()
            outcome.failures += _execute(command, work)
            outcome.timings.append((command.where, time.perf_counter() - began))
    outcome.seconds = time.perf_counter() - started
    return outcome


def _setup_command() -> Command:
    [demo] = [c for c in commands(ROOT / "README.md") if c.argv == ["make", "demo"]]
    return demo


@pytest.fixture(scope="session")
def setup_work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """README's ``make demo`` run once: everybody's set-up (copied, never used in place)."""
    work = _workdir(tmp_path_factory.mktemp("setup"), None)
    failures = _execute(_setup_command(), work)
    assert not failures, "\n".join(failures)
    return work


@pytest.fixture(scope="session")
def doc_runs(tmp_path_factory: pytest.TempPathFactory,
             setup_work: Path) -> Iterator[dict[str, Outcome]]:
    """Every doc's outcome, each in its own copy of the set-up."""
    base = tmp_path_factory.mktemp("docs")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {rel(path): pool.submit(run_doc, path, base / rel(path).replace("/", "_"),
                                          setup_work, _setup_command().text)
                   for path in DOC_FILES}
        yield {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("doc", [rel(p) for p in DOC_FILES])
def test_every_command_of_the_doc_runs(doc: str, doc_runs: dict[str, Outcome]) -> None:
    outcome = doc_runs[doc]
    print(f"{doc}: {len(outcome.ran)} run, {len(outcome.checked_only)} checked only, "
          f"{outcome.seconds:.1f} s")
    for line in outcome.checked_only:
        print("  check-only", line)
    assert not outcome.failures, "\n\n".join(outcome.failures)
    if outcome.needs_shared:
        pytest.skip(f"../shared is absent: not run {', '.join(outcome.needs_shared)}")


# Dashboard paths -----------------------------------------------------------------------------

#: Where the ``N`` of a documented path (``/items/N``) is read from in the demo database.
_NUMBERED = {"items": "review_items", "comments": "comments", "escalations": "escalations",
             "privacy/authors": "authors", "consultations": "monitor_consultations",
             "page-requests": "monitor_page_requests"}


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory,
              setup_work: Path) -> Iterator[tuple[Any, Any]]:
    """The dashboard on a copy of the demo database README's ``make demo`` filled."""
    from fastapi.testclient import TestClient

    from vigie.web import create_app, load_web_settings

    work = _workdir(tmp_path_factory.mktemp("dashboard"), setup_work)
    app = create_app(load_web_settings(env={}, mode="test",
                                       database_url=str(work / DEMO_DB)))
    with TestClient(app) as client:
        yield app, client


def _documented_paths() -> list[tuple[str, str]]:
    return sorted({(path, f"{rel(doc)}:{line}") for doc in DOC_FILES
                   for line, path in dashboard_paths(doc)})


def test_docs_name_dashboard_paths() -> None:
    named = {path for path, _ in _documented_paths()}
    assert {"/", "/privacy", "/questions", "/api/openapi.json"} <= named


def _concrete(path: str, app: Any, templates: list[str]) -> str | None:
    """The path to fetch: ``N`` replaced by a row of the demo database; ``None``: nothing to
    fetch (no row of that kind in the demo, or a path under which the routes live)."""
    from sqlalchemy import text

    if "/N" in path:
        table = _NUMBERED.get(path.split("/N")[0].strip("/"))
        with app.state.vigie.store.begin() as conn:
            pk = table and conn.execute(text(f"SELECT min(pk) FROM {table}")).scalar()
        return path.replace("/N", f"/{pk}") if pk else None
    if not any(re.fullmatch(t, path) for t in templates) and any(
            t.startswith(path + "/") for t in templates):
        return None
    return path


def test_every_dashboard_path_the_docs_name_answers(dashboard: tuple[Any, Any]) -> None:
    """Every path must match a GET route of the app (``N`` for a number; a prefix such as
    ``/api/v1`` when routes live under it). Fetched logged out: no 404 and no 5xx (a
    redirect to the login page is fine for a protected page); logged in as the demo admin:
    below 400. ``N`` is the first row of its kind in the demo database; ``/groups/N``,
    ``/consultations/N`` and ``/page-requests/N`` (none in the demo) are matched only."""
    from vigie.web.app import iter_routes
    from web_support import login

    app, client = dashboard
    templates = [re.sub(r"\{[^}]+\}", "[^/]+", p) for m, p, _ in iter_routes(app) if m == "GET"]
    problems: list[str] = []
    fetched: dict[str, str] = {}
    for path, where in _documented_paths():
        bare = path.split("?")[0]
        probe = bare.replace("/N", "/1")
        if not any(re.fullmatch(t, probe) or t.startswith(probe + "/") for t in templates):
            problems.append(f"{where}: {path}: no GET route serves it")
        elif (concrete := _concrete(bare, app, templates)) is not None:
            fetched[concrete] = where
    for concrete, where in fetched.items():
        status = client.get(concrete, follow_redirects=False).status_code
        if status == 404 or status >= 500:
            problems.append(f"{where}: {concrete} → {status} (logged out)")
    login(client, "admin", "demo-admin-2025")
    for concrete, where in fetched.items():
        status = client.get(concrete, follow_redirects=False).status_code
        if status >= 400:
            problems.append(f"{where}: {concrete} → {status} (as admin)")
    assert len(fetched) >= 30, sorted(fetched)
    assert not problems, "\n".join(problems)


def test_a_wrong_command_or_option_is_found_without_running(tmp_path: Path) -> None:
    """The checker itself: what it must catch in a doc, even in a check-only block."""
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- docs-test: check-only a server -->\n```sh\n"
                   "vigie serve --db x.sqlite --prot 8000\nvigie queue lsit\n"
                   "vigie draft 'Au nom de Poly' --as @me [--jsn]\nmake tset\n```\n"
                   "```sh\nvigie queue show ITEM\n```\n", encoding="utf-8")
    found = commands(doc)
    problems = [p for c in found for p in check_static(c)]
    assert len(problems) == 4, problems
    assert "no option --prot" in problems[0] and "no command 'lsit'" in problems[1]
    assert "no option --jsn" in problems[2] and "no target 'tset'" in problems[3]
    assert [c.check_only for c in found] == ["a server"] * 4 + [None]
    assert placeholders(found[4]) == ["ITEM"]
    (tmp_path / "bare.md").write_text("```\nvigie check x\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="label it"):
        commands(tmp_path / "bare.md")
    assert _matches(["Decision: hide", "Policy x sha256:…"], "Decision:  hide\nPolicy x sha256:ab")
    assert not _matches(["Decision: hide"], "Decision: allow")
