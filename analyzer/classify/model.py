"""Loading and running the shipped clause classifier (see `store` for the file format)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyzer.classify.features import normalize_body, normalize_heading
from analyzer.classify.store import META_FILE, WEIGHTS_FILE, LinearTextModel
from analyzer.errors import ModelError


@dataclass(frozen=True)
class LabelPrediction:
    labels: list[str]
    scores: dict[str, float]


def default_model_dir() -> Path:
    """`models/` of the source tree, or CLAUSES_MODEL_DIR."""
    import os

    env = os.environ.get("CLAUSES_MODEL_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "models"


def to_matrix(texts: list[str], headings: list[str | None]) -> np.ndarray:
    rows = np.empty((len(texts), 2), dtype=object)
    for i, (text, heading) in enumerate(zip(texts, headings, strict=True)):
        rows[i, 0] = normalize_body(text)
        rows[i, 1] = normalize_heading(heading)
    return rows


class ClauseClassifier:
    def __init__(self, pipeline, labels: list[str], thresholds: dict[str, float], meta: dict) -> None:
        self.pipeline = pipeline
        self.labels = labels
        self.thresholds = np.array([thresholds.get(lab, 0.5) for lab in labels])
        self._index = {lab: i for i, lab in enumerate(labels)}
        self.meta = meta

    @classmethod
    def load(cls, directory: Path | None = None) -> ClauseClassifier:
        directory = directory or default_model_dir()
        if not (directory / WEIGHTS_FILE).exists() or not (directory / META_FILE).exists():
            raise ModelError(f"no trained model in {directory} (run `clauses train`)")
        try:
            model, meta = LinearTextModel.load(directory)
        except Exception as exc:  # corrupt or incompatible files: one clear line
            raise ModelError(f"{directory}: cannot load the model ({type(exc).__name__}: {exc})") from None
        return cls(model, list(meta["labels"]), meta["thresholds"], meta)

    def confident(self, label: str, score: float) -> bool:
        """Whether `score` passes the label's threshold (a clause's fallback best label may not)."""
        return bool(score >= self.thresholds[self._index[label]])

    def predict_proba(self, texts: list[str], headings: list[str | None]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(self.labels)))
        return self.pipeline.predict_proba(to_matrix(texts, headings))

    def predict(self, texts: list[str], headings: list[str | None]) -> list[LabelPrediction]:
        """Labels above their threshold; the best label when none passes (every clause gets one)."""
        probabilities = self.predict_proba(texts, headings)
        out = []
        for row, values in zip(probabilities, probabilities.tolist(), strict=True):
            chosen = np.flatnonzero(row >= self.thresholds).tolist() or [int(row.argmax())]
            chosen.sort(key=lambda i: -values[i])  # stable: equal scores keep the labels' order
            out.append(LabelPrediction([self.labels[i] for i in chosen],
                                       dict(zip(self.labels, [round(v, 4) for v in values], strict=True))))
        return out
