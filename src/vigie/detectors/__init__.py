"""Detectors: each turns a batch of prepared comments into findings, never into verdicts."""

from vigie.detectors.base import Detector, DetectorInfo

__all__ = ["Detector", "DetectorInfo"]
