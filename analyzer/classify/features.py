"""Features: the heading and the body as separate TF-IDF signals feeding one linear model."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sklearn.compose import ColumnTransformer

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_LEADING_NUMBER = re.compile(r"^\s*(?:\(?[0-9a-zA-Z]{1,4}(?:\.\d{1,3})*[.)]\s+|section\s+\d+(?:\.\d+)*\.?\s+)",
                             re.IGNORECASE)


def normalize_body(text: str) -> str:
    """Drop the clause number, fold digits: "4.2 ... 30 days" -> "... 0 days"."""
    text = _LEADING_NUMBER.sub("", text[:4000])
    return _NUMBER.sub("0", text.lower())


# The heading block counts for less than the body: a real clause's heading is often its parent section's
# ("2. Services" over a staffing duty), so leaning on it misleads (0.35 chosen on held-out corpus files).
HEADING_WEIGHT = 0.35
NO_HEADING = "xnoheadingx"  # a token of its own: "no heading" is a signal too, and keeps the vocabulary non-empty


def normalize_heading(heading: str | None) -> str:
    return _NUMBER.sub("", (heading or "").lower()).strip(" .:-") or NO_HEADING


def build_features() -> ColumnTransformer:
    """The vectorizers fitted in training (scikit-learn is imported here: inference does without it)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer

    return ColumnTransformer(
        [
            ("body_words", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=60000, sublinear_tf=True,
                                           dtype=np.float32), 0),
            ("body_chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=3, max_features=60000,
                                           sublinear_tf=True, dtype=np.float32), 0),
            ("heading_words", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, dtype=np.float32),
             1),
        ],
        sparse_threshold=1.0,
        transformer_weights={"body_words": 1.0, "body_chars": 1.0, "heading_words": HEADING_WEIGHT},
    )
