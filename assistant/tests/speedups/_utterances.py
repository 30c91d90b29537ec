"""Every training and held-out utterance of the project, entity annotations removed."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ASSISTANT_DIR = Path(__file__).resolve().parents[2]
ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def utterances() -> list[str]:
    texts = []
    for path in (ASSISTANT_DIR / "data" / "nlu.yml", ASSISTANT_DIR / "tests" / "nlu_heldout.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    texts.append(ANNOTATION.sub(r"\1", line.strip()[2:]))
    return texts
