"""The statistical layer: one logistic-regression head per label over shared TF-IDF features.

Trained on the corpus's ``train`` split only (never on ``heldout``), deterministically, in a few
seconds, at first use; the trained model is cached under ``~/.cache/coi-audit/`` (or
``$COI_AUDIT_CACHE``) keyed by ``DETECTOR_VERSION``, so no pickle is ever committed and a change
of lexicon, corpus or code retrains.

The push score is calibrated: a second logistic regression maps the push head's out-of-fold
logit and the cue counts to a probability. The folds hold out whole template families of the
corpus, so the calibrator learns how far to trust the model on phrasings it has not seen.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from audit.detect.cues import TECHNIQUES, load_lexicon
from audit.detect.features import Featurizer

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
CODE_VERSION = "1.0"
HEADS = ("push", "commercial", "data_use", "disclosed", "child_directed", *TECHNIQUES)
# Cue groups the calibrator sees (counts, log1p-scaled).
CALIBRATION_CUES = (
    "offer",
    "price",
    "brand",
    "solicited",
    "technique",
    "disclosed",
    "data_use",
    "child_directed",
    "proposal",  # an offer together with a price or a brand: a commercial proposal
    "persuasion",  # a persuasion technique together with an offer, a price or a brand
)
_VERSIONED_FILES = ("cues.py", "features.py", "model.py", "combine.py")


def corpus_files() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.jsonl"))


def load_corpus(split: str | None = None) -> list[dict]:
    """The labelled corpus (all locales), optionally one split: 'train' or 'heldout'."""
    rows = []
    for path in corpus_files():
        with path.open(encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return [r for r in rows if split is None or r.get("split") == split]


def compute_version() -> str:
    """CODE_VERSION plus a hash of the lexicons, the corpus and the detector's code."""
    digest = hashlib.sha256(CODE_VERSION.encode())
    paths = [*sorted((HERE / "lexicons").glob("*.yml")), *corpus_files()]
    paths += [HERE / name for name in _VERSIONED_FILES]
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"{CODE_VERSION}+{digest.hexdigest()[:12]}"


def cache_dir() -> Path:
    if os.environ.get("COI_AUDIT_CACHE"):
        return Path(os.environ["COI_AUDIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coi-audit"


def cue_matrix(cue_counts: list[dict[str, int]]) -> np.ndarray:
    """Calibration features from per-text cue counts (see combine.cue_counts)."""
    out = np.zeros((len(cue_counts), len(CALIBRATION_CUES)))
    for i, counts in enumerate(cue_counts):
        for j, name in enumerate(CALIBRATION_CUES):
            out[i, j] = counts.get(name, 0)
    return np.log1p(out)


def count_cues(spans) -> dict[str, int]:
    counts: dict[str, int] = {}
    for span in spans:
        key = "technique" if span.label in TECHNIQUES else span.label
        counts[key] = counts.get(key, 0) + 1
    selling = bool(counts.get("price") or counts.get("brand"))
    counts["proposal"] = int(bool(counts.get("offer")) and selling)
    counts["persuasion"] = int(bool(counts.get("technique")) and (selling or "offer" in counts))
    return counts


@dataclass
class Model:
    """Trained weights: featurizer, one linear head per label, the push calibrator."""

    version: str
    featurizer: Featurizer
    weights: np.ndarray  # (n_features, n_heads)
    bias: np.ndarray  # (n_heads,)
    calibrator_coef: np.ndarray  # (1 + len(CALIBRATION_CUES),)
    calibrator_bias: float
    cue_coef: np.ndarray  # (len(CALIBRATION_CUES),): the cue-only second opinion
    cue_bias: float
    heads: tuple[str, ...] = HEADS
    info: dict = field(default_factory=dict)

    def logits(self, texts: list[str]) -> np.ndarray:
        """(n_texts, n_heads) decision values of the heads."""
        words, blocks = self.featurizer.transform_parts(texts)
        word_weights, char_weights = self._split_weights(words.shape[1])
        out = np.asarray(words @ word_weights)
        for block in blocks:
            out += block @ char_weights
        return out + self.bias

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_halves", None)  # a cache, rebuilt on first use
        return state

    def _split_weights(self, split: int) -> tuple[np.ndarray, np.ndarray]:
        """Contiguous float64 halves of the weights, made once (scipy would copy a slice of a
        float32 matrix on every product: 0.7 ms per call)."""
        cached = self.__dict__.get("_halves")
        if cached is None or cached[0] != split:
            halves = tuple(
                np.ascontiguousarray(part, dtype=np.float64)
                for part in (self.weights[:split], self.weights[split:])
            )
            cached = (split, halves)
            self.__dict__["_halves"] = cached
        return cached[1]

    def cue_score(self, cues: np.ndarray) -> np.ndarray:
        """Push probability from the cues alone (a second opinion for unfamiliar phrasings)."""
        return 1.0 / (1.0 + np.exp(-(cues @ self.cue_coef + self.cue_bias)))

    def push_score(self, push_logit: np.ndarray, cues: np.ndarray) -> np.ndarray:
        z = self.calibrator_coef[0] * push_logit + cues @ self.calibrator_coef[1:]
        return 1.0 / (1.0 + np.exp(-(z + self.calibrator_bias)))


def _targets(rows: list[dict]) -> np.ndarray:
    y = np.zeros((len(rows), len(HEADS)), dtype=np.int8)
    for i, row in enumerate(rows):
        for j, head in enumerate(HEADS):
            y[i, j] = head in row["techniques"] if head in TECHNIQUES else bool(row[head])
    return y


def _fit_head(x: sparse.csr_matrix, y: np.ndarray) -> LogisticRegression:
    classifier = LogisticRegression(
        C=8.0, solver="liblinear", dual=True, class_weight="balanced", max_iter=200, random_state=0
    )
    return classifier.fit(x, y)


def train(version: str, rows: list[dict] | None = None) -> Model:
    """Train every head and the calibrator on ``rows`` (default: the corpus's train split)."""
    rows = load_corpus("train") if rows is None else rows
    texts = [r["text"] for r in rows]
    y = _targets(rows)
    featurizer = Featurizer().fit(texts)
    x = featurizer.transform(texts)
    weights = np.zeros((x.shape[1], len(HEADS)))
    bias = np.zeros(len(HEADS))
    for j in range(len(HEADS)):
        if y[:, j].min() == y[:, j].max():  # a label absent from the corpus: never predicted
            bias[j] = -10.0
            continue
        head = _fit_head(x, y[:, j])
        weights[:, j] = head.coef_[0]
        bias[j] = head.intercept_[0]
    # Out-of-fold push logits, folds grouped by template family: the calibrator sees how the
    # model does on phrasings it has never seen, so it learns how much to trust the cues.
    push = y[:, 0]
    oof = np.zeros(len(rows))
    groups = [r.get("template") or r["id"] for r in rows]
    folds = GroupKFold(n_splits=5)
    for fit_idx, out_idx in folds.split(x, push, groups):
        head = _fit_head(x[fit_idx], push[fit_idx])
        oof[out_idx] = head.decision_function(x[out_idx])
    cues = cue_matrix([count_cues(load_lexicon(r["locale"]).find(r["text"])) for r in rows])
    # The cues alone: trained on the same rows, it knows offers, prices and techniques but not
    # the corpus's wording, so it still speaks up when the model has never seen a phrasing.
    cue_only = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000).fit(cues, push)
    calibrator = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)
    calibrator.fit(np.column_stack([oof, cues]), push)
    return Model(
        version=version,
        featurizer=featurizer,
        weights=weights.astype(np.float32),
        bias=bias,
        calibrator_coef=calibrator.coef_[0],
        calibrator_bias=float(calibrator.intercept_[0]),
        cue_coef=cue_only.coef_[0],
        cue_bias=float(cue_only.intercept_[0]),
        info={"n_train": len(rows), "n_features": int(x.shape[1])},
    )


def load_or_train(version: str) -> Model:
    """The cached model of this version, trained and cached first if needed."""
    import sklearn

    # the scikit-learn version is part of the file name: another version retrains
    path = cache_dir() / f"detector-{version}-sklearn{sklearn.__version__}.pkl"
    if path.exists():
        try:
            with path.open("rb") as handle:
                model = pickle.load(handle)
            if isinstance(model, Model) and model.version == version:
                return model
        except Exception:  # a damaged or foreign cache file is rebuilt, not trusted
            pass
    model = train(version)
    try:
        from audit.fsutil import atomic_write_bytes

        atomic_write_bytes(path, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
        _prune(path.parent, keep=KEEP_CACHED)
    except OSError:  # a read-only home still detects, it just retrains next time
        pass
    return model


KEEP_CACHED = 4  # trained versions kept in the cache (each ~15 MB)


def _prune(directory: Path, keep: int) -> None:
    """Remove all but the `keep` most recently written cached models."""
    cached = sorted(directory.glob("detector-*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in cached[keep:]:
        old.unlink(missing_ok=True)
