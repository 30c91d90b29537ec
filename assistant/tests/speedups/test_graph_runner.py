"""speedups/graph_runner.py computes the model's graphs exactly as dask does."""

from __future__ import annotations

import pytest
import speedups
from _utterances import utterances
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def _both(runner, make_inputs, targets):
    """Stock and fast results, each from its own fresh inputs (the graph edits messages)."""
    stock = speedups.stock(DaskGraphRunner, "run")(runner, make_inputs(), targets)
    fast = runner.run(make_inputs(), targets)
    return stock, fast


def test_the_nlu_graph_gives_the_stock_parse_for_every_utterance(agent):
    processor = agent.processor
    target = processor.model_metadata.nlu_target
    texts = utterances()[::5]
    assert len(texts) > 200
    for text in texts:
        stock, fast = _both(
            processor.graph_runner,
            lambda text=text: {PLACEHOLDER_MESSAGE: [UserMessage(text, message_id="m")]},
            [target],
        )
        assert fast.keys() == stock.keys() == {target}
        [stock_message], [fast_message] = stock[target], fast[target]
        assert fast_message.as_dict() == stock_message.as_dict(), text


def test_the_policy_graph_gives_the_stock_prediction(agent):
    processor = agent.processor
    target = processor.model_metadata.core_target
    domain = processor.domain
    events = [ActionExecuted("action_listen")]
    for intent in ["greet", "ask_weather", "decline_offer", "opt_out", "nlu_fallback"]:
        events.append(UserUttered("x", {"name": intent, "confidence": 1.0}))
        tracker = DialogueStateTracker.from_events("g", events, domain.slots)
        stock, fast = _both(
            processor.graph_runner,
            lambda tracker=tracker: {PLACEHOLDER_TRACKER: tracker},
            [target],
        )
        assert vars(fast[target]) == vars(stock[target])
        predicted = domain.action_names_or_texts[fast[target].max_confidence_index]
        assert predicted != "action_default_fallback", intent
        events += [ActionExecuted(predicted), ActionExecuted("action_listen")]


def test_an_input_named_like_a_node_is_refused_as_by_dask(agent):
    runner = agent.processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError, match="clashes with a node name"):
        runner.run({PLACEHOLDER_MESSAGE: node}, [agent.processor.model_metadata.nlu_target])
