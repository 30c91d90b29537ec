"""No deep copies of events for debug log lines that are not written.

``rasa.core.processor`` deep-copies events, parse data and slot values into every
``structlogger.debug(...)`` call of a turn, before structlog decides to drop the line: at the
server's usual INFO level, thousands of object copies per turn for nothing. The module's
``copy`` is used for nothing else, so it is replaced by one whose ``deepcopy`` copies only when
the module's logger is enabled for DEBUG (``rasa run --debug``), exactly as before. Otherwise
both structlog's level filter and its ``filter_by_level`` step drop those lines unrendered.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import rasa.core.processor

_LOGGER = logging.getLogger(rasa.core.processor.__name__)


class _CopyWhenDebugging:
    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if _LOGGER.isEnabledFor(logging.DEBUG):
            return copy.deepcopy(value, memo)
        return value  # the debug line that would receive it is dropped unread


# (owner, attribute, replacement) for speedups.install()
PATCHES = [(rasa.core.processor, "copy", _CopyWhenDebugging)]
