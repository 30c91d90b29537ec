"""coi-audit: audit voice assistants for conflicts of interest.

Public API (mirrors the CLI):

- ``audit.load_run(path)``: a stored run as pandas DataFrames.
- ``audit.scenario``: battery, scenario and persona models, validation, cell expansion.
- ``audit.detect``: the push and persuasion-technique detector.
- ``audit.stats``: the statistical functions used by the analysis.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coi-audit")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"


def load_run(path):
    """Load a run directory (``runs/<id>/``) as conversations, turns and labels DataFrames."""
    from audit.store import load_run as _load_run

    return _load_run(path)


__all__ = ["__version__", "load_run"]
