"""Rule matching that only checks the rules that can match, and stops looking back in time.

``RulePolicy._get_possible_keys`` filters every rule against the conversation's states from the
newest backwards, over the whole history: about a hundred rules times the conversation's length,
three times a turn. Two facts about the stock check (``_is_rule_applicable``) make most of that
work unnecessary, without changing which rules it keeps:

- At the newest state, a rule whose own newest state names a previous action (most rules) is
  applicable only if the conversation's previous action has that name. Rules are indexed by
  that name once, so only the rules for the conversation's previous action (and the rules that
  name none) are checked there.
- A rule is applicable at every turn further back than its own length, so once the look-back
  passes the longest rule still in the running nothing more is filtered out: the loop stops.

The rules kept are then checked by the stock ``_is_rule_applicable``, so the result is the
same set of keys.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.nlu.constants import ACTION_NAME


class _RuleIndex:
    def __init__(self, policy: RulePolicy, lookup: dict[str, str]) -> None:
        self.lookup = lookup  # the indexed dict; a different or resized one is re-indexed
        self.size = len(lookup)
        self.by_previous_action: dict[str, list[str]] = {}
        self.unindexed: list[str] = []
        self.longest = 0
        for key in lookup:
            rule_states = policy._rule_key_to_state(key)
            self.longest = max(self.longest, len(rule_states))
            name = _previous_action_name(rule_states[-1]) if rule_states else None
            if name is None:
                self.unindexed.append(key)
            else:
                self.by_previous_action.setdefault(name, []).append(key)

    def candidates(self, newest_state: dict[str, Any]) -> list[str]:
        """Every rule that can be applicable at the conversation's newest state."""
        name = (newest_state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        return self.by_previous_action.get(name, []) + self.unindexed if name else self.unindexed


def _previous_action_name(rule_state: dict[str, Any]) -> str | None:
    """The action name a rule state requires as previous action, if it requires one.

    Such a rule state only matches a conversation state whose previous action has exactly that
    name: the stock check rejects a missing previous action, and a different value.
    """
    previous = rule_state.get(PREVIOUS_ACTION)
    name = previous.get(ACTION_NAME) if isinstance(previous, dict) else None
    if isinstance(name, str) and name and name != SHOULD_NOT_BE_SET:
        return name
    return None


_indexes: dict[int, _RuleIndex] = {}


def _index(policy: RulePolicy, lookup: dict[str, str]) -> _RuleIndex:
    index = _indexes.get(id(lookup))
    if index is None or index.lookup is not lookup or index.size != len(lookup):
        index = _indexes[id(lookup)] = _RuleIndex(policy, lookup)
    return index


def _get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list) -> set[str]:
    if not states:
        return set(lookup.keys())
    index = _index(self, lookup)
    possible_keys = set(index.candidates(states[-1]))
    for i, state in enumerate(reversed(states)):
        if i >= index.longest:  # _is_rule_applicable is True for every rule of length <= i
            break
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, i, state)}
    return possible_keys


# (owner, attribute, replacement) for speedups.install()
PATCHES = [(RulePolicy, "_get_possible_keys", _get_possible_keys)]
