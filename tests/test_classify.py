"""Clause classifier: training round-trip, CLI order and errors, the shipped model matches its corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer.classify.corpus import corpus_hash, load_corpus
from analyzer.classify.model import ClauseClassifier, default_model_dir
from analyzer.classify.train import train
from analyzer.errors import AnalyzerError, ModelError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "clauses"

TINY = {
    "fees_and_payment": ["The Customer shall pay each invoice within {n} days of receipt.",
                         "Fees are invoiced monthly in arrears and payable in {n} days.",
                         "Late payments bear interest at {n} percent per month.",
                         "All fees are exclusive of VAT and other taxes, payable within {n} days."],
    "termination": ["Either party may terminate this Agreement on {n} days' written notice.",
                    "The Customer may terminate for convenience with {n} days' notice.",
                    "On termination the Supplier shall return all materials within {n} days.",
                    "Either party may terminate if the other becomes insolvent or fails to cure within {n} days."],
    "governing_law": ["This Agreement is governed by the laws of England and Wales ({n}).",
                      "The laws of the State of New York govern this Agreement ({n}).",
                      "This contract shall be construed under the laws of Ontario ({n}).",
                      "The courts of Delaware have exclusive jurisdiction ({n})."],
}


def _write_tiny_corpus(path: Path) -> Path:
    lines = []
    for label, templates in TINY.items():
        for n in range(10, 16):
            for template in templates:
                lines.append(json.dumps({"text": template.format(n=n), "heading": None, "labels": [label]}))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_classify_training_round_trips_through_save_and_load(tmp_path):
    corpus = _write_tiny_corpus(tmp_path / "tiny.jsonl")
    meta = train(corpus, tmp_path / "model", candidates=["tfidf-logistic"], log=lambda _: None)
    classifier = ClauseClassifier.load(tmp_path / "model")
    assert classifier.labels == sorted(TINY)
    assert meta["corpus_sha256"] == corpus_hash(corpus)
    predictions = classifier.predict(["Invoices are payable within 30 days.", "Governed by the laws of Texas."],
                                     [None, "Governing Law"])
    assert predictions[0].labels[0] == "fees_and_payment"
    assert predictions[1].labels[0] == "governing_law"
    assert all(0.0 <= p <= 1.0 for p in predictions[0].scores.values())


def test_classify_saved_model_gives_the_fitted_pipelines_probabilities():
    """The NumPy model that is shipped computes what the scikit-learn pipeline it came from computes,
    feature-block weights included."""
    import numpy as np

    from analyzer.classify.model import to_matrix
    from analyzer.classify.store import LinearTextModel
    from analyzer.classify.train import _logistic

    texts = [template.format(n=n) for templates in TINY.values() for template in templates for n in range(10, 16)]
    labels = [[label] for label, templates in TINY.items() for _ in templates for _ in range(10, 16)]
    headings = ["Payment Terms" if i % 3 == 0 else None for i in range(len(texts))]
    from sklearn.preprocessing import MultiLabelBinarizer

    pipeline = _logistic().fit(to_matrix(texts, headings), MultiLabelBinarizer().fit_transform(labels))
    assert pipeline.named_steps["features"].transformer_weights  # the heading block is weighted
    unseen = to_matrix(["Invoices are due in 45 days.", "Terminate on notice.", "x"], ["Payment", None, "Law"])
    exported = LinearTextModel.from_pipeline(pipeline)
    assert np.abs(exported.predict_proba(unseen) - pipeline.predict_proba(unseen)).max() < 1e-5


def test_classify_user_labels_are_carried_by_the_model(tmp_path):
    corpus = _write_tiny_corpus(tmp_path / "tiny.jsonl")
    extra = [json.dumps({"text": f"The Supplier shall carry out a carbon audit every {n} months.",
                         "heading": "Sustainability", "labels": ["sustainability"]}) for n in range(1, 25)]
    corpus.write_text(corpus.read_text() + "\n".join(extra) + "\n")
    train(corpus, tmp_path / "model", candidates=["tfidf-logistic"], log=lambda _: None)
    classifier = ClauseClassifier.load(tmp_path / "model")
    assert "sustainability" in classifier.labels
    assert classifier.predict(["A carbon audit is due every 6 months."], ["Sustainability"])[0].labels[0] == \
        "sustainability"


def _tiny_folder(folder: Path) -> Path:
    """The tiny corpus as two files: `plain.jsonl` (n = 10..13) and `styled.jsonl` (n = 14, 15)."""
    folder.mkdir()
    plain, styled = [], []
    for label, templates in TINY.items():
        for n in range(10, 16):
            for template in templates:
                line = json.dumps({"text": template.format(n=n), "heading": None, "labels": [label]})
                (styled if n >= 14 else plain).append(line)
    (folder / "plain.jsonl").write_text("\n".join(plain) + "\n")
    (folder / "styled.jsonl").write_text("\n".join(styled) + "\n")
    return folder


def test_classify_tuning_files_tune_the_threshold_and_stay_out_of_training(tmp_path):
    from analyzer.classify.train import split_corpus

    folder = _tiny_folder(tmp_path / "corpus")
    before = corpus_hash(folder)
    (folder / "tuning.yaml").write_text("tune_on: [styled.jsonl]\n")
    assert corpus_hash(folder) != before  # which files tune is part of what the model was trained on
    examples = load_corpus(folder)
    split = split_corpus(examples, tune_on=frozenset({"styled.jsonl"}))
    assert {e.source for e in split.train + split.test} == {"plain.jsonl"}
    assert {e.source for e in split.tune + split.unseen} == {"styled.jsonl"}
    assert len(split.tune) + len(split.unseen) == len(TINY) * 4 * 2 and split.tune and split.unseen
    assert split_corpus(examples, tune_on=frozenset({"styled.jsonl"})) == split  # reproducible

    meta = train(folder, tmp_path / "model", candidates=["tfidf-logistic"], log=lambda _: None)
    assert meta["tuned_on"] == ["styled.jsonl"] and meta["split"]["unseen"] == len(split.unseen)
    [row] = meta["comparison"]
    assert row["unseen_micro_f1"] is not None and row["threshold"] == meta["thresholds"]["termination"]
    assert meta["corpus_clauses"] == len(examples)  # the shipped model is fitted on every file
    assert "styled.jsonl" in (tmp_path / "model" / "MODEL_CARD.md").read_text()


def test_classify_spacy_candidate_is_measured_the_same_way(tmp_path):
    folder = _tiny_folder(tmp_path / "corpus")
    (folder / "tuning.yaml").write_text("tune_on: [styled.jsonl]\n")
    meta = train(folder, tmp_path / "model", candidates=["tfidf-logistic"], log=lambda _: None, compare_spacy=True)
    logistic, spacy_row = meta["comparison"]
    assert spacy_row["name"].startswith("spacy-textcat") and meta["model"] == "tfidf-logistic"
    assert set(spacy_row) >= set(logistic) - {"fit_seconds"}
    assert all(0.0 <= spacy_row[key] <= 1.0 for key in ("micro_f1", "macro_f1", "unseen_micro_f1", "unseen_macro_f1"))


@pytest.mark.parametrize(("config", "message"), [
    ("tune_on: [missing.jsonl]\n", "tuning.yaml: no such corpus file: missing.jsonl"),
    ("tune_on: styled.jsonl\n", "tuning.yaml: `tune_on` must be a list of corpus file names"),
    ("- styled.jsonl\n", "tuning.yaml: `tune_on` must be a list of corpus file names"),
    ("tune_on: [a\n", "tuning.yaml: not valid YAML"),
])
def test_classify_bad_tuning_file_is_a_clear_error(tmp_path, config, message):
    folder = _tiny_folder(tmp_path / "corpus")
    (folder / "tuning.yaml").write_text(config)
    with pytest.raises(AnalyzerError, match=message):
        train(folder, tmp_path / "model", candidates=["tfidf-logistic"], log=lambda _: None)


def test_classify_bad_corpus_lines_are_named(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "labels": ["other"]}\n{"text": "", "labels": ["other"]}\n')
    with pytest.raises(AnalyzerError, match="bad.jsonl:2"):
        load_corpus(bad)


def test_classify_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="no trained model"):
        ClauseClassifier.load(tmp_path)


def test_classify_shipped_model_was_trained_on_the_current_corpus():
    """Fails when the corpus changed and the shipped model was not retrained (`clauses train`)."""
    meta = json.loads((default_model_dir() / "clause-classifier.json").read_text())
    assert meta["corpus_sha256"] == corpus_hash(CORPUS), "corpus changed: run `clauses train` and commit models/"


def _classify(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer.cli", "classify"], input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_classify_cli_keeps_input_order():
    rows = [{"text": "This Agreement is governed by the laws of England and Wales.", "heading": "Governing Law"},
            {"text": "The Customer shall pay each invoice within 30 days.", "heading": "Payment"},
            {"text": "Either party may terminate on 90 days' notice.", "heading": None}] * 3
    result = _classify("".join(json.dumps(r) + "\n" for r in rows))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == len(rows)
    assert [o["labels"][0] for o in out] == ["governing_law", "fees_and_payment", "termination"] * 3
    assert set(out[0]["scores"]) >= {"governing_law", "termination"}


@pytest.mark.parametrize(("stdin", "message"), [
    ("", "no input"),
    ("not json\n", "line 1: not JSON"),
    ('{"heading": "x"}\n', 'line 1: expected an object with a string "text"'),
])
def test_classify_cli_bad_input(stdin, message):
    result = _classify(stdin)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("analyzer", "ngram_range"), [("char_wb", (3, 5)), ("word", (1, 2))])
def test_classify_tfidf_transforms_match_scikit_learn(analyzer, ngram_range):
    """The NumPy transforms used at inference give scikit-learn's TF-IDF rows."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from analyzer.classify.tfidf import TfidfTransform, supported

    corpus = ["The Supplier shall answer 80% of calls within 20 seconds.",
              "Customer may terminate on thirty days' notice.", "Fees are payable monthly in arrears.",
              "a", "  spaced\n\nout  words  ", "\u00e9t\u00e9 Na\u00efve caf\u00e9", "calls calls calls"]
    reference = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, sublinear_tf=True, dtype=np.float32)
    reference.fit(corpus)
    settings = {key: getattr(reference, key) for key in ("analyzer", "ngram_range", "lowercase", "sublinear_tf",
                                                         "norm", "use_idf", "smooth_idf", "token_pattern")}
    assert supported(settings)
    fast = TfidfTransform(reference.vocabulary_, reference.idf_, settings)
    unseen = ["The Customer shall pay within 30 days.", "", "x", "Calls calls within within"]
    for texts in (corpus, unseen, unseen):  # the second pass of `unseen` is served from the word cache
        assert np.abs(fast.dense(texts) - reference.transform(texts).toarray()).max() < 1e-6
    assert not supported({**settings, "sublinear_tf": False})
    with pytest.raises(ValueError):
        TfidfTransform(reference.vocabulary_, reference.idf_, {**settings, "norm": "l1"})


def test_classify_inference_does_not_import_scikit_learn():
    """Analysis processes hold NumPy only: scikit-learn and SciPy cost about 150 MB each."""
    code = ("import sys; from analyzer.pipeline import Analyzer; a = Analyzer(); "
            "a.classifier.predict(['The fees are due in 30 days.'], [None]); "
            "print(sorted(m for m in ('sklearn', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_classify_a_fallback_label_does_not_make_a_section_present():
    """Every clause shows its best label, but coverage and the playbook's section rules count only
    labels above their threshold."""
    from analyzer.pipeline import Analyzer

    analyzer = Analyzer()
    text = b"The Supplier shall answer 80% of calls within 20 seconds.\n\nEither party may end this Agreement.\n"
    confident = analyzer.analyze(text, file_name="two.txt")
    assert confident.coverage["service_levels"] is True
    analyzer.classifier.thresholds[:] = 1.01  # now no label passes: every clause keeps only its best guess
    guessed = analyzer.analyze(text, file_name="two.txt")
    assert [len(c.labels) for c in guessed.clauses] == [1, 1]
    assert guessed.clauses[0].labels[0].label == "service_levels"
    assert not any(guessed.coverage.values())

    def missing(report):
        return {f.rule for f in report.findings if f.clause_id is None}

    assert missing(guessed) > missing(confident)
    assert guessed.completeness < confident.completeness
