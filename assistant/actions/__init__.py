"""Custom actions of the reference assistant (rasa-sdk action server package)."""

from . import actions  # noqa: F401  (registers the Action subclasses with the executor)
