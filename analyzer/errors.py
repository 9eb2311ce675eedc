"""Errors a user may see. Each carries a one-line, human message (no traceback)."""

from __future__ import annotations


class AnalyzerError(Exception):
    """Base class: a problem with the input or the configuration, never a bug."""


class IngestError(AnalyzerError):
    """The file could not be read as a document (corrupt, encrypted, unsupported...)."""


class UnsupportedFormatError(IngestError):
    pass


class LimitExceededError(IngestError):
    """The file is larger, longer or more compressed than the configured limits allow."""


class ModelError(AnalyzerError):
    """The classifier model is missing, corrupt or incompatible."""


class PlaybookError(AnalyzerError):
    """A playbook file is invalid: the message names the file, the rule and the problem."""
