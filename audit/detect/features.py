"""Text features for the statistical layer: TF-IDF over word 1-2-grams and character 2-5-grams.

scikit-learn's ``char_wb`` analyzer builds n-grams in a Python loop (~0.2 ms per utterance), so
character n-grams are hashed here with numpy over the whole batch at once: every n-gram of the
lower-cased, space-normalised text is a polynomial hash of its code points, bucketed into
2**17 columns. Word n-grams use scikit-learn's vocabulary-based vectoriser.
"""

from __future__ import annotations

import re

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

CHAR_BITS = 17
CHAR_NGRAMS = (2, 5)
_NON_WORD = re.compile(r"[^\w'’]+")
_P = np.uint64(1_000_003)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def normalise(text: str) -> str:
    return " " + _NON_WORD.sub(" ", text.lower()).strip() + " "


def char_counts(texts: list[str], bits: int = CHAR_BITS) -> sparse.csr_matrix:
    """Counts of hashed character n-grams, one row per text (n-grams never cross texts)."""
    n_docs = len(texts)
    shape = (n_docs, 1 << bits)
    if n_docs == 0:
        return sparse.csr_matrix(shape, dtype=np.float64)
    parts = [normalise(t) for t in texts]
    lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=n_docs)
    codes = np.frombuffer("\x00".join(parts).encode("utf-32-le"), dtype=np.uint32)
    codes = codes.astype(np.uint64)
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), lengths + 1)[: len(codes)]
    doc[np.cumsum(lengths + 1)[:-1] - 1] = -1  # the separators belong to no text
    rows, cols = [], []
    shift = np.uint64(64 - bits)
    for n in range(CHAR_NGRAMS[0], CHAR_NGRAMS[1] + 1):
        span = len(codes) - n + 1
        if span <= 0:
            continue
        h = codes[:span].copy()
        for k in range(1, n):
            h = h * _P + codes[k : k + span]
        h = (h ^ np.uint64(n * 0x51ED27)) * _GOLD >> shift
        first, last = doc[:span], doc[n - 1 : n - 1 + span]
        valid = (first == last) & (first >= 0)
        rows.append(first[valid])
        cols.append(h[valid].astype(np.int64))
    row = np.concatenate(rows)
    col = np.concatenate(cols)
    data = np.ones(len(row), dtype=np.float64)
    matrix = sparse.csr_matrix((data, (row, col)), shape=shape)
    matrix.sum_duplicates()
    return matrix


class Featurizer:
    """Fit on the training texts; transform a batch into one L2-normalised sparse matrix."""

    def __init__(self):
        self.words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=1, token_pattern=r"(?u)\b\w+\b"
        )
        self.char_idf: np.ndarray | None = None

    def fit(self, texts: list[str]) -> Featurizer:
        self.words.fit(texts)
        counts = char_counts(texts)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        n = counts.shape[0]
        self.char_idf = np.log((1 + n) / (1 + df)) + 1.0  # scikit-learn's smooth idf
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        words = self.words.transform(texts)
        chars = char_counts(texts)
        chars.data = 1.0 + np.log(chars.data)  # sublinear tf
        chars = chars.multiply(self.char_idf).tocsr()
        norms = np.sqrt(np.asarray(chars.multiply(chars).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        chars = sparse.diags(1.0 / norms) @ chars
        return sparse.hstack([words, chars], format="csr")
