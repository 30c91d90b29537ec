"""Curated cue lexicons of the detector, one YAML file per locale (data, not code)."""
