"""Reading files that hold secrets (the secrets file, OAuth token files)."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

from vigie.connectors.errors import ConfigError

__all__ = ["read_private_text"]

log = logging.getLogger(__name__)


def read_private_text(path: Path, what: str) -> str:
    """The text of a file of secrets; a warning when other users may read it.

    Raises:
        FileNotFoundError: no such file (the caller decides whether that is an error).
        ConfigError: any other failure to read it, naming the file, never its content.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except OSError as error:
        raise ConfigError(f"{path}: cannot read {what}: {error.strerror or error}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s is readable by other users; chmod 600 it", path)
    return text
