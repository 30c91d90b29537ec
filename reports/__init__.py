"""Regulatory-style audit reports (HTML, Markdown, JSON, PDF) built from one report model."""
