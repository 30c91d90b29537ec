"""The ``coi-audit`` command line: a thin click layer over the library, one file per command."""
