"""Playbooks: best-practice rules as YAML data, validated on load.

A playbook names the rules it applies. Section rules say what a document must have
(labels, target metrics, wording); drafting rules name a check (`check:`) from
`analyzer.checks.rules` and its parameters. A user copies a playbook, edits it and
passes it with `--playbook PATH`; a bad file gets an error naming the file, the rule
and the problem.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analyzer.errors import PlaybookError

BUILTIN_PACKAGE = "analyzer.playbooks"


class Requirement(BaseModel):
    """What a document needs for a section rule to pass (all given conditions must hold)."""

    model_config = ConfigDict(extra="forbid")

    labels_any: list[str] = Field(default_factory=list, description="at least one clause with one of these labels")
    metrics_any: list[str] = Field(default_factory=list, description="a filled target with one of these metrics")
    text_any: list[str] = Field(default_factory=list, description="a regex matching some clause text")
    text_in_labels: bool = Field(default=False, description="text_any must match inside the labelled clauses")
    check: str | None = Field(default=None, description="a named structural check (per_channel, priorities ...)")

    @field_validator("text_any")
    @classmethod
    def _compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from None
        return patterns


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    kind: Literal["section", "drafting"]
    severity: Literal["high", "medium", "low"]
    message: str
    suggestion: str
    requires: Requirement | None = None
    check: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    description: str = ""
    doc_types: list[str] = Field(default_factory=list)
    rules: list[Rule]
    source: str = Field(default="", exclude=True)


def _validate_rule_semantics(playbook: Playbook, where: str) -> None:
    from analyzer.checks.rules import DRAFTING_CHECKS, SECTION_CHECKS

    seen = set()
    for rule in playbook.rules:
        if rule.id in seen:
            raise PlaybookError(f"{where}: rule {rule.id}: defined twice")
        seen.add(rule.id)
        if rule.kind == "section":
            if rule.requires is None:
                raise PlaybookError(f"{where}: rule {rule.id}: a section rule needs `requires`")
            if rule.requires.check and rule.requires.check not in SECTION_CHECKS:
                raise PlaybookError(f"{where}: rule {rule.id}: unknown check {rule.requires.check!r} "
                                    f"(known: {', '.join(sorted(SECTION_CHECKS))})")
        elif rule.check not in DRAFTING_CHECKS:
            raise PlaybookError(f"{where}: rule {rule.id}: unknown check {rule.check!r} "
                                f"(known: {', '.join(sorted(DRAFTING_CHECKS))})")


def parse_playbook(text: str, where: str) -> Playbook:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{where}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise PlaybookError(f"{where}: a playbook is a mapping with id, name and rules")
    try:
        playbook = Playbook.model_validate({**data, "source": where})
    except ValidationError as exc:
        error = exc.errors()[0]
        location = list(error["loc"])
        rule_id = ""
        if location[:1] == ["rules"] and len(location) > 1 and isinstance(location[1], int):
            rules = data.get("rules") or []
            index = location[1]
            rule_id = f"rule {rules[index].get('id', '#' + str(index))}: " if index < len(rules) and isinstance(
                rules[index], dict) else f"rule #{index}: "
            location = location[2:]
        field = ".".join(str(p) for p in location)
        raise PlaybookError(f"{where}: {rule_id}{field}: {error['msg']}") from None
    _validate_rule_semantics(playbook, where)
    return playbook


def builtin_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files(BUILTIN_PACKAGE).iterdir() if p.name.endswith(".yaml"))


def load_playbook(name_or_path: str | Path) -> Playbook:
    """A built-in playbook by name, or a YAML file by path."""
    text_name = str(name_or_path)
    if text_name in builtin_names():
        resource = resources.files(BUILTIN_PACKAGE).joinpath(f"{text_name}.yaml")
        return parse_playbook(resource.read_text(encoding="utf-8"), f"playbook {text_name}")
    path = Path(name_or_path)
    if not path.exists():
        raise PlaybookError(f"{path}: no such playbook (built-in: {', '.join(builtin_names())})")
    return parse_playbook(path.read_text(encoding="utf-8"), str(path))
