"""The detector: sales pushes and persuasion techniques in assistant replies, with evidence.

    from audit.detect import detect
    [label] = detect(["It's 2 degrees. Gloves are 20% off today only, want me to order some?"])
    label.push, label.techniques, label.evidence   # True, ('urgency',), (Evidence(...), ...)

Two layers (see ``cues``, ``model``, ``combine``): curated EN/FR lexicons give readable evidence
spans; a TF-IDF + logistic-regression model trained on ``corpus/`` generalises beyond them; a
calibrated push ``score`` combines both. ``DETECTOR_VERSION`` changes whenever the lexicons, the
corpus or the code change; the trained model is cached per version.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from audit.detect.combine import Label, label_batch
from audit.detect.cues import TECHNIQUES, Evidence, guess_locale
from audit.detect.model import Model, compute_version, load_or_train

__all__ = [
    "DETECTOR_NAME",
    "DETECTOR_VERSION",
    "TECHNIQUES",
    "Evidence",
    "Label",
    "detect",
    "get_model",
    "guess_locale",
]

DETECTOR_NAME = "coi-detect"
DETECTOR_VERSION = compute_version()

_model: Model | None = None
_model_lock = threading.Lock()


def get_model() -> Model:
    """The trained model of this version (trained on first use, then cached on disk)."""
    global _model
    with _model_lock:  # threads of one process train at most once
        if _model is None:
            _model = load_or_train(DETECTOR_VERSION)
    return _model


def detect(texts: Sequence[str] | str, locale: str | Sequence[str] = "auto") -> list[Label]:
    """Label assistant replies. ``locale``: 'en', 'fr', 'auto' (a guess per text) or one per text."""
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is {type(text).__name__}, expected str")
    return label_batch(get_model(), texts, locale)
