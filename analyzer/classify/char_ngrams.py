"""TF-IDF of character n-grams within words ("char_wb"), computed word by word with a cache.

scikit-learn's `char_wb` analyzer pads each whitespace-separated word with spaces and takes its
n-grams, so a text's counts are the sum of its words' counts. Contract language repeats the same
few thousand words, so caching each word's vocabulary ids makes the transform several times faster
than `TfidfVectorizer.transform` while giving the same matrix (to float rounding).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

_CACHE_LIMIT = 200_000  # words; about 30 MB at most, and a contract uses a few thousand


class CachedCharNgrams:
    """Equivalent of a fitted `TfidfVectorizer(analyzer="char_wb", sublinear_tf=True, norm="l2")`."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, ngram_range: tuple[int, int],
                 lowercase: bool = True) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float64)
        self.min_n, self.max_n = ngram_range
        self.lowercase = lowercase
        self._words: dict[str, np.ndarray] = {}

    @classmethod
    def supports(cls, settings: dict) -> bool:
        """Whether a vectorizer with these settings can be replaced by this class."""
        return (settings.get("analyzer") == "char_wb" and settings.get("sublinear_tf") is True
                and settings.get("norm") == "l2" and settings.get("use_idf", True) is True)

    def _word_ids(self, word: str) -> np.ndarray:
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

    def transform(self, texts) -> sp.csr_matrix:
        indptr = [0]
        indices: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for text in texts:
            text = text.lower() if self.lowercase else text
            parts = [self._word_ids(word) for word in text.split()]
            ids = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
            columns, counts = np.unique(ids, return_counts=True)
            weights = (np.log(counts) + 1.0) * self.idf[columns]
            norm = np.sqrt(np.dot(weights, weights))
            if norm > 0:
                weights /= norm
            indices.append(columns)
            values.append(weights)
            indptr.append(indptr[-1] + len(columns))
        shape = (len(indptr) - 1, len(self.idf))
        if not indices:
            return sp.csr_matrix(shape, dtype=np.float32)
        return sp.csr_matrix((np.concatenate(values).astype(np.float32), np.concatenate(indices), indptr),
                             shape=shape)
