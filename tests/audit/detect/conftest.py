"""Shared fixtures of the detector tests; prints the held-out figures at the end of the run."""

from __future__ import annotations

import pytest

# Filled by test_heldout.py: {"title": [lines]} printed in the terminal summary, so that
# `make test` shows the detector's measured accuracy beside the pass/fail verdict.
FIGURES: dict[str, list[str]] = {}


@pytest.fixture(scope="session")
def model():
    from audit.detect import get_model

    return get_model()


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("detector accuracy (audit/detect/corpus)")
    for title, lines in FIGURES.items():
        terminalreporter.write_line(title)
        for line in lines:
            terminalreporter.write_line(f"  {line}")
