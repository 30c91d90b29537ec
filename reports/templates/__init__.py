"""Jinja2 templates and the stylesheet of the report (a package so that wheels ship them)."""
