"""TF-IDF transforms of the shipped model, without scikit-learn at inference.

They give the rows of a fitted `TfidfVectorizer(sublinear_tf=True, norm="l2")` as sparse entries
(row, column, weight), equal to float rounding, for its two analyzers in use: word n-grams and character n-grams
within words ("char_wb"). Not importing scikit-learn and SciPy saves about 150 MB in every process
that analyzes documents. scikit-learn pads each word with spaces for `char_wb` and takes its
n-grams, so a text's counts are the sum of its words' counts: each word's vocabulary ids are cached
(contract language repeats a few thousand words), which makes that transform several times faster.
"""

from __future__ import annotations

import re

import numpy as np

_CACHE_LIMIT = 200_000  # words; about 30 MB at most, and a contract uses a few thousand

# One sparse matrix as three arrays of one entry per non-zero: row, column, weight; sorted by row, then column.
Entries = tuple[np.ndarray, np.ndarray, np.ndarray]


def supported(settings: dict) -> bool:
    """Whether a vectorizer with these settings can be computed here."""
    return (settings.get("analyzer") in {"word", "char_wb"} and settings.get("sublinear_tf") is True
            and settings.get("norm") == "l2" and settings.get("use_idf", True) is True
            and settings.get("lowercase", True) is True)


class TfidfTransform:
    """One fitted vectorizer: its vocabulary, idf vector and n-gram settings."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, settings: dict) -> None:
        if not supported(settings):
            raise ValueError(f"unsupported vectorizer settings: {settings}")
        self.vocabulary = vocabulary
        self.settings = dict(settings)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.analyzer = settings["analyzer"]
        self.min_n, self.max_n = settings["ngram_range"]
        self.token_pattern = re.compile(settings.get("token_pattern") or r"(?u)\b\w\w+\b")
        self._words: dict[str, np.ndarray] = {}

    @property
    def size(self) -> int:
        return len(self.idf)

    def entries(self, texts: list[str]) -> Entries:
        """The TF-IDF rows of `texts`: sublinear term frequency times idf, each row L2-normalized."""
        ids_of = self._char_ids if self.analyzer == "char_wb" else self._word_ids
        per_text = [ids_of(text.lower()) for text in texts]
        lengths = np.array([len(ids) for ids in per_text], dtype=np.int64)
        if not lengths.sum():
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
        size = self.size
        keys = np.repeat(np.arange(len(texts), dtype=np.int64), lengths) * size + np.concatenate(per_text)
        unique, counts = np.unique(keys, return_counts=True)  # one sort counts every (row, term) pair
        rows, columns = np.divmod(unique, size)
        weights = (np.log(counts) + 1.0) * self.idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=len(texts)))
        return rows, columns, weights / norms[rows]

    def _word_ids(self, text: str) -> np.ndarray:
        tokens = self.token_pattern.findall(text)
        get = self.vocabulary.get
        found: list[int] = []
        for n in range(self.min_n, self.max_n + 1):
            grams = tokens if n == 1 else map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
            found.extend(index for index in map(get, grams) if index is not None)
        return np.array(found, dtype=np.int64)

    def _char_ids(self, text: str) -> np.ndarray:
        parts = [self._char_word_ids(word) for word in text.split()]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def _char_word_ids(self, word: str) -> np.ndarray:
        ids = self._words.get(word)
        if ids is None:
            padded = f" {word} "
            found = []
            for n in range(self.min_n, self.max_n + 1):
                last = max(len(padded) - n, 0)
                for offset in range(last + 1):
                    index = self.vocabulary.get(padded[offset:offset + n])
                    if index is not None:
                        found.append(index)
                if last == 0:  # a word shorter than n counts once, and no longer n-grams exist
                    break
            ids = np.array(found, dtype=np.int64)
            if len(self._words) >= _CACHE_LIMIT:
                self._words.clear()
            self._words[word] = ids
        return ids

    def dense(self, texts: list[str]) -> np.ndarray:
        """The rows as a dense matrix (for tests and small inputs)."""
        out = np.zeros((len(texts), self.size))
        rows, columns, weights = self.entries(texts)
        out[rows, columns] = weights
        return out
