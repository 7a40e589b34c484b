"""The ``vigie`` command line: :mod:`vigie.cli.app` registers every command, in one place."""

__all__ = ["main"]


def main() -> None:
    """Console-script entry point (``vigie``); see :func:`vigie.cli.app.main`."""
    from vigie.cli.app import main as run

    run()
