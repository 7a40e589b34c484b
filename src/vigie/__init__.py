"""Vigie: enforce an institution's social-media directive on its official pages, offline.

The public API: load a policy, build a pipeline, moderate comments::

    from vigie import Pipeline, load_policy, parse_comment

    pipeline = Pipeline.from_policy(load_policy())
    [decision] = pipeline.moderate([parse_comment(record)])
"""

from vigie.actions import Action
from vigie.decision import AuthorHistory, CategoryVerdict, Decision
from vigie.engine import decide
from vigie.errors import (
    DetectorError,
    InputError,
    PolicyError,
    RecordError,
    RegistryError,
    StoreError,
    VigieError,
)
from vigie.findings import DetectorFailure, Finding
from vigie.pipeline import Pipeline
from vigie.policy import Policy, load_policy, parse_policy
from vigie.records import Author, Comment, Platform, Post, parse_comment
from vigie.version import __version__

__all__ = [
    "Action",
    "Author",
    "AuthorHistory",
    "CategoryVerdict",
    "Comment",
    "Decision",
    "DetectorError",
    "DetectorFailure",
    "Finding",
    "InputError",
    "Pipeline",
    "Platform",
    "Policy",
    "PolicyError",
    "Post",
    "RecordError",
    "RegistryError",
    "StoreError",
    "VigieError",
    "__version__",
    "decide",
    "load_policy",
    "parse_comment",
    "parse_policy",
]
