"""A safe, fast file format for the TF-IDF + logistic clause model.

Nothing here can execute code on load: vocabularies and settings are JSON, weights
are a NumPy `.npz` read with `allow_pickle=False`. (skops, which we tried first,
took 8 s to load the same model; this loads in well under a second.)

    <dir>/clause-classifier.json   labels, thresholds, vectorizer settings, card facts
    <dir>/clause-classifier.npz    idf vectors, coefficients, intercepts
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from analyzer.classify.char_ngrams import CachedCharNgrams

WEIGHTS_FILE = "clause-classifier.npz"
META_FILE = "clause-classifier.json"
_VECTORIZER_SETTINGS = ("analyzer", "ngram_range", "lowercase", "sublinear_tf", "norm", "use_idf", "smooth_idf",
                        "token_pattern")


class LinearTextModel:
    """Three TF-IDF vectorizers (body words, body characters, heading words) and one
    logistic model per label: probability = sigmoid(x . w + b)."""

    def __init__(self, vectorizers: list[tuple[TfidfVectorizer | CachedCharNgrams, int]], coef: np.ndarray,
                 intercept: np.ndarray):
        self.vectorizers = vectorizers
        self.coef = coef
        self.intercept = intercept

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> LinearTextModel:
        features = pipeline.named_steps["features"]
        vectorizers = [(vec, column) for _name, vec, column in features.transformers_ if _name != "remainder"]
        estimators = pipeline.named_steps["model"].estimators_
        coef = np.vstack([est.coef_.ravel() for est in estimators]).astype(np.float32)
        intercept = np.array([est.intercept_[0] for est in estimators], dtype=np.float32)
        return cls(vectorizers, coef, intercept)

    def predict_proba(self, rows: np.ndarray) -> np.ndarray:
        parts = [vec.transform(rows[:, column]) for vec, column in self.vectorizers]
        matrix = sp.hstack(parts, format="csr")
        logits = matrix @ self.coef.T + self.intercept
        return 1.0 / (1.0 + np.exp(-np.asarray(logits)))

    def save(self, directory: Path, meta: dict) -> None:
        arrays: dict[str, np.ndarray] = {"coef": self.coef, "intercept": self.intercept}
        specs = []
        for index, (vec, column) in enumerate(self.vectorizers):
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            specs.append({
                "column": int(column),
                "settings": {key: getattr(vec, key) for key in _VECTORIZER_SETTINGS},
                "terms": terms,
            })
            arrays[f"idf_{index}"] = vec.idf_.astype(np.float32)
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
                vec: TfidfVectorizer | CachedCharNgrams
                if CachedCharNgrams.supports(settings):  # same matrix, several times faster
                    vec = CachedCharNgrams(vocabulary, idf, settings["ngram_range"], settings["lowercase"])
                else:
                    vec = TfidfVectorizer(dtype=np.float32, **settings)
                    vec.vocabulary_ = vocabulary
                    vec.idf_ = idf
                vectorizers.append((vec, spec["column"]))
        return cls(vectorizers, coef, intercept), meta
