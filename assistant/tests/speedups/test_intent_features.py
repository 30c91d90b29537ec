"""speedups/intent_features.py gives the intent classifier the stock input, number for number."""

from __future__ import annotations

import numpy as np
import pytest
import speedups
from _utterances import utterances
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from scipy.sparse import csr_matrix


@pytest.fixture(scope="module")
def classifier_and_messages(agent):
    """The trained classifier, and every utterance featurized by the model's own featurizers."""
    runner = agent.processor.graph_runner
    node = next(
        n for n in runner._instantiated_nodes.values()
        if n._component_class is LogisticRegressionClassifier
    )  # fmt: skip
    featurizer = next(iter(node._inputs.values()))
    texts = utterances()
    inputs = {PLACEHOLDER_MESSAGE: [UserMessage(text) for text in texts]}
    messages = runner.run(inputs, [featurizer])[featurizer]
    assert len(messages) == len(texts) > 1000
    return node._component, messages


def _stock_X(classifier, messages):
    return csr_matrix(
        speedups.stock(LogisticRegressionClassifier, "_create_X")(classifier, messages)
    )


def _same_matrix(fast, stock):
    assert fast.shape == stock.shape and fast.dtype == stock.dtype
    assert fast.has_canonical_format and stock.has_canonical_format
    np.testing.assert_array_equal(fast.indptr, stock.indptr)
    np.testing.assert_array_equal(fast.indices, stock.indices)
    np.testing.assert_array_equal(fast.data, stock.data)


def test_every_utterance_gets_the_stock_row_and_the_same_probabilities(classifier_and_messages):
    classifier, messages = classifier_and_messages
    for message in messages:  # one at a time, as the server classifies
        fast = classifier._create_X([message])
        stock = _stock_X(classifier, [message])
        _same_matrix(fast, stock)
        assert np.array_equal(
            classifier.clf.predict_proba(fast), classifier.clf.predict_proba(stock)
        )


def test_a_batch_gets_the_stock_matrix(classifier_and_messages):
    classifier, messages = classifier_and_messages
    _same_matrix(classifier._create_X(messages), _stock_X(classifier, messages))


def test_dense_sentence_features_take_the_stock_path(classifier_and_messages):
    classifier, messages = classifier_and_messages
    message = messages[0]
    dense = Features(np.ones((1, 3)), FEATURE_TYPE_SENTENCE, TEXT, "dense_featurizer")
    message.features.append(dense)
    try:
        _same_matrix(classifier._create_X([message]), _stock_X(classifier, [message]))
        assert (
            classifier._create_X([message]).shape[1]
            == _stock_X(classifier, messages[1:2]).shape[1] + 3
        )
    finally:
        message.features = [f for f in message.features if f is not dense]
