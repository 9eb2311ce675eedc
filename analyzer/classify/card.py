"""The model card, written from the training metadata so that it never drifts from the model."""

from __future__ import annotations

import json
from pathlib import Path

EVAL_FIGURES = "eval-figures.json"  # written by bench/eval_classifier.py, never read by training


def write_model_card(meta: dict, out_dir: Path) -> Path:
    split = meta["split"]
    lines = [
        "# Model card: clause classifier",
        "",
        "Multi-label classifier for the 23 clause labels of `../shared/spec/taxonomy.md` (or whatever label set",
        "the training corpus carries). Written by `clauses train`; do not edit by hand.",
        "",
        "## Model",
        f"- Shipped: **{meta['model']}**: TF-IDF of the clause body (word 1-2-grams and character 3-5-grams) and",
        "  of the heading (word 1-2-grams) as separate signals"
        + (f" (the heading block weighted {meta['heading_weight']})" if meta.get("heading_weight") else "")
        + ", one logistic regression per label",
        "  (one-vs-rest, balanced class weights). Probabilities are the logistic outputs; a label is given",
        "  when its probability passes one threshold shared by all labels, tuned on the tune split (23",
        "  per-label thresholds transferred worse to clauses written later in a filed-agreement style);",
        "  a clause always gets its best label.",
        *_tuning_lines(meta),
        "- Files: `clause-classifier.npz` (weights, read with `allow_pickle=False`) and",
        "  `clause-classifier.json` (labels, thresholds, vocabularies, these facts). Nothing in either can run",
        "  code on load. skops was tried first and took 8 s to load the same model.",
        f"- Seed {meta['seed']}; corpus sha256 `{meta['corpus_sha256']}` ({meta['corpus_clauses']} clauses).",
        "- Library versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".",
        "",
        "## Model selection (corpus split, never the evaluation set)",
        f"Split {split['train']}/{split['tune']}/{split['test']} (train/tune/test)"
        + (f" and {split['unseen']} clauses of unseen drafting" if split.get("unseen") else "")
        + ", grouped by primary label. Each candidate is fitted on train, its threshold tuned on tune, and it is "
        "measured on test" + (" and on the unseen drafting" if split.get("unseen") else "") + ".",
        "",
        "| candidate | micro-F1 | macro-F1 | unseen drafting micro / macro | threshold | fit (s) |",
        "|---|---|---|---|---|---|",
    ]
    for row in meta["comparison"]:
        unseen = (f"{row['unseen_micro_f1']} / {row['unseen_macro_f1']}" if row.get("unseen_micro_f1") is not None
                  else "")
        lines.append(f"| {row['name']} | {row['micro_f1']} | {row['macro_f1']} | {unseen} | {row.get('threshold', '')} "
                     f"| {row['fit_seconds']} |")
    lines += ["", "## Labels", "", "| label | corpus clauses | threshold | test-split F1 |", "|---|---|---|---|"]
    for label in meta["labels"]:
        lines.append(f"| {label} | {meta['label_counts'].get(label, 0)} | {meta['thresholds'][label]} | "
                     f"{meta['test_split_per_label_f1'].get(label, '')} |")
    figures_path = out_dir / EVAL_FIGURES
    lines += ["", "## Measured on real contracts (`../shared/eval`)", ""]
    if figures_path.exists():
        figures = json.loads(figures_path.read_text())
        if figures.get("corpus_sha256") != meta["corpus_sha256"]:
            lines.append("(figures below were measured on an older model: rerun `python bench/eval_classifier.py`)")
            lines.append("")
        lines.append(f"`python ../shared/tools/score.py --parts classify` on {figures['n']} real clauses: "
                     f"micro-F1 **{figures['micro_f1']}**, macro-F1 **{figures['macro_f1']}**, top-1 accuracy "
                     f"{figures['top1_accuracy']}, exact match {figures['exact_match']}.")
        lines += ["", "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        for label, row in sorted(figures["per_label"].items(), key=lambda kv: kv[1]["f1"]):
            lines.append(f"| {label} | {row['p']} | {row['r']} | {row['f1']} | {row['support']} |")
    else:
        lines.append("Not measured yet: run `python bench/eval_classifier.py` where `../shared/eval` exists.")
    lines += ["", "## Limits", "",
              "- The corpus is written by the team, not drawn from real contracts; real drafting differs, and the",
              "  gap between the corpus test split and real contracts above is the honest measure of that.",
              "- English only. Clauses are classified one at a time, with their heading as the only context.", ""]
    path = out_dir / "MODEL_CARD.md"
    path.write_text("\n".join(lines))
    return path


def _tuning_lines(meta: dict) -> list[str]:
    if not meta.get("tuned_on"):
        return []
    return ["- The threshold is tuned on clauses of files the model was not fitted on (" +
            ", ".join(f"`{name}`" for name in meta["tuned_on"]) + ", written in the style of filed agreements):",
            "  thresholds tuned on a random split of the corpus come out too high for drafting the model has not",
            "  seen, and real contracts are such drafting."]
