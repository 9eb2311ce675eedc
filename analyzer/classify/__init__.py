"""Clause classification: multi-label, calibrated, with per-label thresholds."""

from analyzer.classify.model import ClauseClassifier, LabelPrediction, default_model_dir

__all__ = ["ClauseClassifier", "LabelPrediction", "default_model_dir"]
