"""``python -m vigie``: the same as the ``vigie`` command."""

from vigie.cli.app import main

main()
