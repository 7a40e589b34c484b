"""Read the shell commands and dashboard paths that README.md and docs/ show, for the docs test.

A fenced block labelled ``sh``, ``bash``, ``shell`` or ``console`` holds commands (in a
``console`` block, the lines after ``$ `` are commands and the others their expected output).
An HTML comment just above the fence tells the test what not to run, and why:

    <!-- docs-test: check-only REASON -->              every command of the block
    <!-- docs-test: check-only `PREFIX` REASON -->     only the commands that start with PREFIX
    <!-- docs-test: stdin `PREFIX` TEXT -->             what the command reads (``\\n``: Enter)
    <!-- docs-test: exit-3 `PREFIX` REASON -->          the exit code that means all is well
    <!-- docs-test: env `PREFIX` NAME=VALUE -->         a setting the prose asks for

A checked-only command is still checked without running it: a ``vigie`` command must name a
command the CLI has and only options that command knows; ``make T`` a target of the
Makefile; ``pip install '.[X]'`` an extra of pyproject.toml; ``pytest PATH`` paths that exist;
a Python script or ``-m`` module must exist and name every option shown in its source.
Square brackets mark optional parts (``[--json]``): they are checked, and left out of a run.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")))
SHELL_LANGS = frozenset({"sh", "bash", "shell", "console"})
_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
_MARKER = re.compile(r"<!--\s*docs-test:\s*(?P<kind>[\w-]+)\s*(?:`(?P<prefix>[^`]+)`)?"
                     r"\s*(?P<reason>.*?)\s*-->")
#: Lines of an unlabelled block that look like a command: such a block must say ```sh.
_LOOKS_LIKE_COMMAND = re.compile(r"^\s*(\$ |vigie |\.venv/bin/|PYTHONPATH=|python |pip |make )")
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]{2,}$")


@dataclass(frozen=True)
class Marker:
    """A ``docs-test`` comment above a block."""

    kind: str
    prefix: str | None
    reason: str


@dataclass
class Command:
    """One command line shown in a doc (continuations joined, comment removed)."""

    doc: str
    line: int
    text: str
    argv: list[str]
    check_only: str | None = None  # the reason, when the docs say not to run it
    stdin: str = "y\n"  # what the command reads (a confirmation, by default)
    exit_code: int = 0  # what it exits with when all is well
    env: dict[str, str] = field(default_factory=dict)  # set by an `env` marker
    expected: list[str] = field(default_factory=list)  # a console block's output lines

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def runnable_argv(self) -> list[str]:
        """The command without its ``[optional]`` parts."""
        out: list[str] = []
        depth = 0
        for token in self.argv:
            opened = token.startswith("[")
            depth += opened
            if not depth:
                out.append(token)
            if token.endswith("]") and depth:
                depth -= 1
        return out

    @property
    def program(self) -> str:
        """The program, ``.venv/bin/`` and ``VAR=value`` prefixes removed."""
        for token in self.argv:
            if "=" not in token.split("/")[0]:
                return token.removeprefix(".venv/bin/")
        return ""


@dataclass
class Block:
    """A fenced block of one doc, with the markers above it."""

    doc: str
    line: int  # of the opening fence, 1-based
    lang: str
    lines: list[str]
    markers: list[Marker]


def rel(path: Path) -> str:
    """``path`` as the docs name it: from the repository root (a file elsewhere: as given)."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def blocks(path: Path) -> list[Block]:
    """Every fenced block of ``path``, in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        markers: list[Marker] = []
        above = i - 1
        while above >= 0 and (match := _MARKER.search(lines[above])):
            markers.insert(0, Marker(match["kind"], match["prefix"], match["reason"]))
            above -= 1
        found.append(Block(rel(path), i + 1, fence.group(2), lines[i + 1:end], markers))
        i = end + 1
    return found


def _logical_lines(block: Block) -> list[tuple[int, str, list[str]]]:
    """``(line number, command text, output lines)`` for each command of a shell block."""
    out: list[tuple[int, str, list[str]]] = []
    pending: list[str] = []
    start = 0
    console = block.lang == "console"
    for offset, raw in enumerate(block.lines, start=block.line + 1):
        line = raw
        if console and not pending:
            if not line.startswith("$ "):
                if out:
                    out[-1][2].append(raw)
                continue
            line = line[2:]
        if not pending:
            start = offset
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        out.append((start, " ".join(pending), []))
        pending = []
    return out


def commands(path: Path) -> list[Command]:
    """Every command that ``path`` shows in a shell block, in order, with its marker applied.

    Raises:
        AssertionError: an unlabelled block holds commands, or a marker has no reason or an
            unknown kind, or names a prefix that no command of its block starts with.
    """
    found: list[Command] = []
    for block in blocks(path):
        if block.lang not in SHELL_LANGS:
            shown = [x for x in block.lines if _LOOKS_LIKE_COMMAND.match(x)]
            assert not shown or block.lang, (
                f"{block.doc}:{block.line}: a block of commands without a language; "
                f"label it ```sh so that the docs test runs it ({shown[0].strip()!r})")
            continue
        mine: list[Command] = []
        for line, text, expected in _logical_lines(block):
            argv = shlex.split(text, comments=True)
            # `a && b` is two commands.
            while argv:
                cut = argv.index("&&") if "&&" in argv else len(argv)
                mine.append(Command(block.doc, line, shlex.join(argv[:cut]), argv[:cut],
                                    expected=expected))
                argv = argv[cut + 1:]
        for marker in block.markers:
            _apply(marker, block, mine)
        found.extend(mine)
    return found


def _apply(marker: Marker, block: Block, mine: list[Command]) -> None:
    """Apply one marker to the commands of its block it names (all, without a prefix)."""
    where = f"{block.doc}:{block.line}"
    assert marker.reason, f"{where}: docs-test marker without a reason (or input)"
    hits = [c for c in mine if marker.prefix is None or _normalised(c).startswith(marker.prefix)]
    assert hits, f"{where}: marker prefix {marker.prefix!r} matches no command of the block"
    for command in hits:
        if marker.kind == "check-only":
            command.check_only = marker.reason
        elif marker.kind == "stdin":  # the text typed in, `\n` for Enter
            command.stdin = marker.reason.replace("\\n", "\n")
        elif marker.kind == "env":  # NAME=value set for the command, as the prose says
            name, _, value = marker.reason.partition("=")
            command.env[name] = value
        elif re.fullmatch(r"exit-\d+", marker.kind):  # the reason says why it is not 0
            command.exit_code = int(marker.kind.removeprefix("exit-"))
        else:
            raise AssertionError(f"{where}: unknown docs-test marker {marker.kind!r} "
                                 "(valid: check-only, stdin, env, exit-N)")


def _normalised(command: Command) -> str:
    """The command as a prefix marker sees it: env prefix and ``.venv/bin/`` removed."""
    argv = list(command.argv)
    while argv and "=" in argv[0].split("/")[0]:
        argv.pop(0)
    if argv:
        argv[0] = argv[0].removeprefix(".venv/bin/")
    return " ".join(argv)


def placeholders(command: Command) -> list[str]:
    """Tokens of the runnable part that stand for something (``ITEM``, ``a|b``)."""
    return [t for t in command.runnable_argv[1:]
            if _PLACEHOLDER.match(t) or ("|" in t and not t.startswith(("'", '"'))
                                         and " " not in t)]


# Dashboard paths --------------------------------------------------------------------------

_PATH = re.compile(r"`(/[A-Za-z0-9_\-./{}?=&]*)`")
_LOCAL_URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost)(?::\d+)?(/[^\s`)\"'<>]*)?")
#: Absolute paths that are files, not pages.
_FILESYSTEM = ("/usr/", "/etc/", "/var/", "/tmp/", "/home/", "/work/", "/dev/", "/opt/")


def dashboard_paths(path: Path) -> list[tuple[int, str]]:
    """``(line, path)`` for each dashboard path named in ``path``'s prose.

    A doc whose paths belong to other servers (the platforms' APIs) says so with
    ``<!-- docs-test: not-dashboard-paths REASON -->``; code blocks are not prose.
    """
    text = path.read_text(encoding="utf-8")
    marker = next((m for m in _MARKER.finditer(text) if m["kind"] == "not-dashboard-paths"),
                  None)
    if marker:
        assert marker["reason"], f"{rel(path)}: not-dashboard-paths marker without a reason"
        return []
    out: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        for match in _PATH.finditer(line):
            if not match.group(1).startswith(_FILESYSTEM) and match.group(1) != "/":
                out.append((number, match.group(1)))
        for match in _LOCAL_URL.finditer(line):
            out.append((number, (match.group(1) or "/").rstrip(".,;:")))
    return out


# Checks without running ---------------------------------------------------------------------

def check_vigie(argv: list[str]) -> list[str]:
    """Problems of a ``vigie`` command line against the CLI itself (empty: none).

    The command path must exist and every ``--option`` (optional parts included) must be one
    the command knows. Nothing runs.
    """
    import typer

    from vigie.cli.app import app

    # Typer may bring its own copy of click: groups are told by their ``commands``.
    command: Any = typer.main.get_command(app)
    path = ["vigie"]
    tokens = [t.strip("[]") for t in argv[1:]]
    rest = tokens
    while hasattr(command, "commands") and rest and not rest[0].startswith("-"):
        # The group's own parsing: `vigie draft TEXT` is `vigie draft check TEXT`.
        ctx = command.make_context(path[-1], list(rest), resilient_parsing=True)
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]
        sub = command.commands.get(rest[0])
        if sub is None:
            return [f"`{' '.join(path)}` has no command {rest[0]!r} "
                    f"(it has: {', '.join(sorted(command.commands))})"]
        command, path, rest = sub, [*path, rest[0]], rest[1:]
    if hasattr(command, "commands"):
        return [f"`{' '.join(path)}` is a group: name one of its commands "
                f"({', '.join(sorted(command.commands))})"]
    known = {"--help"}
    for param in command.params:
        known.update(getattr(param, "opts", ()), getattr(param, "secondary_opts", ()))
    problems = []
    for token in rest:
        if token.startswith("-") and token != "-":
            option = token.split("=", 1)[0]
            if option not in known:
                problems.append(f"`{' '.join(path)}` has no option {option} "
                                f"(it has: {', '.join(sorted(known))})")
    return problems


def _makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^([\w.-]+):", text, re.MULTILINE)}


def make_recipe(target: str) -> list[list[str]]:
    """The commands of a Makefile target, ``$(BIN)/`` kept as ``.venv/bin/``."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n?)*)", text, re.MULTILINE)
    assert match, f"Makefile has no target {target!r}"
    return [shlex.split(line.strip().replace("$(BIN)/", ".venv/bin/"))
            for line in match.group(1).splitlines() if line.strip()]


def _extras() -> set[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return set(project.get("optional-dependencies", {}))


def _python_target(args: list[str]) -> tuple[Path | None, list[str]]:
    """The source file a ``python`` command runs and the arguments it is given."""
    if args[:1] == ["-m"] and len(args) > 1:
        import importlib.util

        spec = importlib.util.find_spec(args[1])
        origin = Path(spec.origin) if spec and spec.origin else None
        if origin is not None and origin.name == "__init__.py":
            origin = origin.with_name("__main__.py")
        return origin, args[2:]
    return (ROOT / args[0] if args else None), args[1:]


def check_static(command: Command) -> list[str]:
    """Problems of ``command`` found without running it (empty: none)."""
    argv = list(command.argv)
    while argv and re.match(r"^[A-Z_]+=", argv[0]):
        argv.pop(0)
    program = command.program
    args = argv[1:]
    if program == "vigie":
        return check_vigie(argv)
    if program == "make":
        return [f"Makefile has no target {t!r}" for t in args if t not in _makefile_targets()]
    if program == "pip":
        wanted = {e for t in args for e in re.findall(r"\[([\w,-]+)\]", t)}
        extras = _extras()
        return [f"pyproject.toml has no extra {e!r}" for group in wanted
                for e in group.split(",") if e not in extras]
    if program == "pytest" or (program == "python" and args[:2] == ["-m", "pytest"]):
        paths = [t for t in (args[2:] if program == "python" else args)
                 if not t.startswith("-")]
        return [f"no test path {p}" for p in paths if not (ROOT / p).exists()]
    if program == "python":
        source, rest = _python_target(args)
        if source is None or not source.exists():
            return [f"no such script or module: {' '.join(args[:2])}"]
        text = source.read_text(encoding="utf-8")
        return [f"{rel(source)} never mentions option {t.strip('[]')}"
                for t in rest if t.strip("[]").startswith("--")
                and f'"{t.strip("[]").split("=")[0]}"' not in text]
    if program == "lint-imports":
        return []
    return [f"{command.where}: no check for program {program!r}: teach tests/docs_support.py "
            "or leave it out of the docs' shell blocks"]
