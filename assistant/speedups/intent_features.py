"""The intent classifier's input row built in one step instead of five sparse-matrix copies.

For each message, ``LogisticRegressionClassifier._create_X`` asks the message for its combined
sparse features (which also combines the sequence features it then throws away, after a deep
copy), stacks them with an empty dense block, then stacks the rows: five scipy constructions
for one row, about 0.8 ms. scikit-learn converts the result to canonical CSR (sorted indices,
no duplicates) before predicting. This version builds that canonical CSR matrix directly from
the sentence-level sparse features, in the same column order and with the same dtype, so the
prediction sees the same numbers. Messages with dense or missing sentence features take the
stock path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from scipy.sparse import csr_matrix

_stock_create_X = LogisticRegressionClassifier._create_X


def _sentence_blocks(message: Any) -> list[Any] | None:
    """The message's sparse TEXT sentence features, in combining order; None: use stock."""
    blocks = []
    for features in message.features:
        if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
            continue
        if not features.is_sparse():
            return None
        blocks.append(features.features.tocoo())
    return blocks or None


def _create_X(self: LogisticRegressionClassifier, messages: list[Any]) -> Any:
    per_message = [_sentence_blocks(message) for message in messages]
    if any(blocks is None for blocks in per_message):
        return _stock_create_X(self, messages)
    cols, data, row_ends = [], [], []
    # Stock stacks with csr_matrix([]) (float64) for the absent dense block: same upcast.
    dtype = np.result_type(np.float64, *(b.dtype for blocks in per_message for b in blocks))
    width, nnz = None, 0
    for blocks in per_message:
        offset = 0
        for block in blocks:
            if block.shape[0] != 1:
                return _stock_create_X(self, messages)
            cols.append(block.col + offset)
            data.append(block.data)
            offset += block.shape[1]
            nnz += block.nnz
        if width is not None and offset != width:
            return _stock_create_X(self, messages)  # stock raises its own error
        width = offset
        row_ends.append(nnz)
    matrix = csr_matrix(
        (np.concatenate(data).astype(dtype), np.concatenate(cols), np.array([0, *row_ends])),
        shape=(len(messages), width),
    )
    matrix.sum_duplicates()  # canonical: sorted indices, as scikit-learn would make it
    return matrix


# (owner, attribute, replacement) for speedups.install()
PATCHES = [(LogisticRegressionClassifier, "_create_X", _create_X)]
