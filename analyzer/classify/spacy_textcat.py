"""The spaCy candidate: a `textcat_multilabel` pipeline, trained on the same split.

Used by `clauses train` to compare against the TF-IDF models (the model card records
the result). The heading is given to spaCy as a prefix of the text, since a textcat
pipeline reads one string.
"""

from __future__ import annotations

import random
import time

import numpy as np

from analyzer.classify.corpus import Example

ARCHITECTURES = {
    "bow": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
            "no_output_layer": False, "length": 262144},
}


def _text(example: Example) -> str:
    return f"{example.heading} :: {example.text[:3000]}" if example.heading else example.text[:3000]


def train_textcat(train: list[Example], labels: list[str], epochs: int = 8, seed: int = 13,
                  architecture: str = "bow"):
    import spacy
    from spacy.training import Example as SpacyExample
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": ARCHITECTURES[architecture]})
    for label in labels:
        textcat.add_label(label)
    examples = []
    for ex in train:
        doc = nlp.make_doc(_text(ex))
        cats = {label: float(label in ex.labels) for label in labels}
        examples.append(SpacyExample.from_dict(doc, {"cats": cats}))
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=32):
            nlp.update(batch, sgd=optimizer, losses=losses, drop=0.1)
    return nlp


def predict_textcat(nlp, examples: list[Example], labels: list[str]) -> np.ndarray:
    docs = nlp.pipe((_text(ex) for ex in examples), batch_size=256)
    return np.array([[doc.cats.get(label, 0.0) for label in labels] for doc in docs])


def evaluate_textcat(split, binarizer, tune_thresholds, measure) -> dict:
    """Fit on train, tune thresholds on tune, measure on test (and the unseen drafting): the same protocol and
    the same `measure` as the scikit-learn candidates (`train.measure`)."""
    labels = list(binarizer.classes_)
    start = time.perf_counter()
    nlp = train_textcat(split.train, labels)
    seconds = time.perf_counter() - start
    thresholds = tune_thresholds(binarizer.transform([e.labels for e in split.tune]),
                                 predict_textcat(nlp, split.tune, labels), labels)
    cut = np.array([thresholds[lab] for lab in labels])
    micro, macro = measure(binarizer, lambda examples: predict_textcat(nlp, examples, labels), split.test, cut)
    unseen_micro, unseen_macro = measure(binarizer, lambda examples: predict_textcat(nlp, examples, labels),
                                         split.unseen, cut)
    return {
        "name": "spacy-textcat_multilabel-bow",
        "micro_f1": micro,
        "macro_f1": macro,
        "unseen_micro_f1": unseen_micro,
        "unseen_macro_f1": unseen_macro,
        "threshold": float(cut[0]) if len(cut) else None,
        "fit_seconds": round(seconds, 1),
    }
