"""Playbook checks: missing sections, vague or defective drafting, completeness."""

from analyzer.checks.engine import CheckResult, run_playbook
from analyzer.checks.playbook import Playbook, builtin_names, load_playbook

__all__ = ["CheckResult", "Playbook", "builtin_names", "load_playbook", "run_playbook"]
