"""Playbooks as data: built-ins load, bad files get errors naming the file, the rule and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analyzer.checks import builtin_names, load_playbook
from analyzer.errors import PlaybookError


def test_checks_playbook_builtins_load_with_every_checklist_rule():
    assert {"service-agreement", "customer-service-sla", "saas-sla", "dpa"} <= set(builtin_names())
    ids = {rule.id for rule in load_playbook("customer-service-sla").rules}
    for required in ("scope.defined", "metrics.per_channel", "placeholder.unfilled", "metric.inverted_bound",
                     "metric.conflict", "remedies.uncapped", "termination.no_notice", "term.unfilled"):
        assert required in ids


def _write(tmp_path: Path, data) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def _copy_of_builtin() -> dict:
    from importlib import resources

    return yaml.safe_load(resources.files("analyzer.playbooks").joinpath("saas-sla.yaml").read_text())


def test_checks_playbook_user_copy_loads(tmp_path):
    data = _copy_of_builtin()
    data["id"] = "my-sla"
    data["rules"] = [r for r in data["rules"] if r["id"] != "ip.defined"]
    assert load_playbook(_write(tmp_path, data)).id == "my-sla"


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["rules"][0].update(severity="urgent"), "severity"),
    (lambda d: d["rules"][0].pop("message"), "message"),
    (lambda d: d["rules"][-1].update(check="no_such_check"), "unknown check"),
    (lambda d: d["rules"][0]["requires"].update(text_any=["(unclosed"]), "bad regex"),
    (lambda d: d["rules"].append(dict(d["rules"][0])), "defined twice"),
    (lambda d: d["rules"][0].update(extra_field=1), "extra"),
])
def test_checks_playbook_errors_name_file_rule_and_problem(tmp_path, mutate, expected):
    data = _copy_of_builtin()
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(PlaybookError) as info:
        load_playbook(path)
    message = str(info.value)
    assert str(path) in message and expected.lower() in message.lower()
    assert "rule" in message


def test_checks_playbook_not_yaml(tmp_path):
    with pytest.raises(PlaybookError, match="not valid YAML"):
        load_playbook(_write(tmp_path, "rules: [unclosed"))


def test_checks_playbook_missing_file():
    with pytest.raises(PlaybookError, match="no such playbook"):
        load_playbook("/nonexistent/playbook.yaml")
