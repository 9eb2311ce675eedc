"""Measure the shipped classifier on ../shared/eval with the project's scorer and record the figures
in models/eval-figures.json, then rewrite the model card. Training never reads these figures.

    python bench/eval_classifier.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score.py"


def main() -> None:
    from analyzer.classify.card import EVAL_FIGURES, write_model_card
    from analyzer.classify.model import default_model_dir

    if not SCORER.exists():
        sys.exit(f"{SCORER} not found: no evaluation set here")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "figures.json"
        subprocess.run([sys.executable, str(SCORER), "--parts", "classify", "--json", str(out)], check=True)
        figures = json.loads(out.read_text())["classify"]
    model_dir = default_model_dir()
    meta = json.loads((model_dir / "clause-classifier.json").read_text())
    figures["corpus_sha256"] = meta["corpus_sha256"]
    (model_dir / EVAL_FIGURES).write_text(json.dumps(figures, indent=2) + "\n")
    print(write_model_card({k: v for k, v in meta.items() if k != "vectorizers"}, model_dir))


if __name__ == "__main__":
    main()
