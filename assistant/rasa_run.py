"""``rasa`` with the speed-ups of ``speedups/`` installed; everything else is the stock CLI.

    .venv-assistant/bin/python assistant/rasa_run.py run --enable-api -m MODEL ...

``audit.assistant_ctl`` starts the Rasa server this way, and ``check.sh`` runs ``rasa test
core`` this way so that the test stories go through the same code as the server.
"""

from __future__ import annotations

import sys

import speedups

speedups.install()

if __name__ == "__main__":
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    main()
