"""speedups/debug_copies.py copies debug-log values only when the debug line can be written."""

from __future__ import annotations

import logging

import rasa.core.processor
from speedups.debug_copies import _CopyWhenDebugging


def test_the_processor_uses_it():
    assert rasa.core.processor.copy is _CopyWhenDebugging


def test_no_copy_below_debug_level_and_a_real_deep_copy_at_debug_level():
    logger = logging.getLogger("rasa.core.processor")
    value = [{"event": "slot", "value": {"nested": [1, 2]}}]
    previous = logger.level
    try:
        logger.setLevel(logging.INFO)
        assert rasa.core.processor.copy.deepcopy(value) is value
        logger.setLevel(logging.DEBUG)
        copied = rasa.core.processor.copy.deepcopy(value)
        assert copied == value and copied is not value
        assert copied[0]["value"] is not value[0]["value"]
    finally:
        logger.setLevel(previous)
