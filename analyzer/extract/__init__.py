"""Numeric targets: every number the contract commits to, as a structured record."""

from analyzer.extract.targets import TargetExtractor

__all__ = ["TargetExtractor"]
