"""A safe, fast file format for the TF-IDF + logistic clause model.

Nothing here can execute code on load: vocabularies and settings are JSON, weights
are a NumPy `.npz` read with `allow_pickle=False`. (skops, which we tried first,
took 8 s to load the same model; this loads in well under a second.) Inference needs
NumPy only (`analyzer.classify.tfidf`); scikit-learn is imported to train and save.

    <dir>/clause-classifier.json   labels, thresholds, vectorizer settings, card facts
    <dir>/clause-classifier.npz    idf vectors, coefficients, intercepts
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from analyzer.classify.tfidf import TfidfTransform

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

_BATCH = 512  # clauses per matrix product
WEIGHTS_FILE = "clause-classifier.npz"
META_FILE = "clause-classifier.json"
_VECTORIZER_SETTINGS = ("analyzer", "ngram_range", "lowercase", "sublinear_tf", "norm", "use_idf", "smooth_idf",
                        "token_pattern")


class LinearTextModel:
    """TF-IDF transforms (body words, body characters, heading words), each reading one column of the
    input rows, and one logistic model per label: probability = sigmoid(x . w + b)."""

    def __init__(self, vectorizers: list[tuple[TfidfTransform, int]], coef: np.ndarray, intercept: np.ndarray):
        self.vectorizers = vectorizers
        self.coef = coef
        self.intercept = intercept
        self._coef_by_feature = np.ascontiguousarray(coef.T)  # one row per feature: gathers read contiguous rows
        # where each transform's columns start in the concatenated feature vector
        self.offsets = np.cumsum([0] + [vec.size for vec, _ in vectorizers])[:-1]

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> LinearTextModel:
        features = pipeline.named_steps["features"]
        transformer_weights = features.transformer_weights or {}
        vectorizers, scales = [], []
        for name, vec, column in features.transformers_:
            if name == "remainder":
                continue
            settings = {key: getattr(vec, key) for key in _VECTORIZER_SETTINGS}
            vectorizers.append((TfidfTransform(dict(vec.vocabulary_), vec.idf_, settings), column))
            scales.append(np.full(len(vec.vocabulary_), transformer_weights.get(name, 1.0)))
        estimators = pipeline.named_steps["model"].estimators_
        # A transformer's weight scales its features; scaling their coefficients instead gives the same logits.
        coef = (np.vstack([est.coef_.ravel() for est in estimators]) * np.concatenate(scales)).astype(np.float32)
        intercept = np.array([est.intercept_[0] for est in estimators], dtype=np.float32)
        return cls(vectorizers, coef, intercept)

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        logits = np.tile(self.intercept.astype(np.float64), (len(rows), 1))
        for first in range(0, len(rows), _BATCH):  # batches bound the (non-zeros x labels) products in memory
            block = logits[first:first + _BATCH]
            for (vec, column), offset in zip(self.vectorizers, self.offsets, strict=True):
                entries, columns, weights = vec.entries(list(rows[first:first + _BATCH, column]))
                if not len(entries):
                    continue
                # float32 like the coefficients, gathered with `take` and scaled in place: half the memory
                # traffic of a float64 product (logits agree to about 1e-6)
                contributions = np.take(self._coef_by_feature, columns + offset, axis=0)
                contributions *= weights.astype(np.float32)[:, None]
                starts = np.flatnonzero(np.r_[True, entries[1:] != entries[:-1]])  # each row's first entry
                block[entries[starts]] += np.add.reduceat(contributions, starts, axis=0)
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, directory: Path, meta: dict) -> None:
        arrays: dict[str, np.ndarray] = {"coef": self.coef, "intercept": self.intercept}
        specs = []
        for index, (vec, column) in enumerate(self.vectorizers):
            terms = sorted(vec.vocabulary, key=vec.vocabulary.__getitem__)
            settings = {**vec.settings, "ngram_range": list(vec.settings["ngram_range"])}
            specs.append({"column": int(column), "settings": settings, "terms": terms})
            arrays[f"idf_{index}"] = vec.idf.astype(np.float32)
        directory.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(directory / WEIGHTS_FILE, **arrays)
        (directory / META_FILE).write_text(json.dumps({**meta, "vectorizers": specs}, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, directory: Path) -> tuple[LinearTextModel, dict]:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as arrays:
            coef, intercept = arrays["coef"], arrays["intercept"]
            vectorizers = []
            for index, spec in enumerate(meta.pop("vectorizers")):
                settings = dict(spec["settings"])
                settings["ngram_range"] = tuple(settings["ngram_range"])
                vocabulary = {term: i for i, term in enumerate(spec["terms"])}
                idf = arrays[f"idf_{index}"].astype(np.float64)
                vectorizers.append((TfidfTransform(vocabulary, idf, settings), spec["column"]))
        return cls(vectorizers, coef, intercept), meta
