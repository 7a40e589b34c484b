"""The package version.

In a module of its own so that any layer can read it without importing the package root
(which pulls in the pipeline).
"""

__version__ = "0.1.0"
