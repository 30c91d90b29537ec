"""Train the reference assistant only when its training data changed.

The cache key is a sha256 over config.yml, domain.yml and data/** (paths and contents); the model
is written as models/coi-<key12>.tar.gz, so an unchanged project prints "model up to date" and a
changed one trains once. ``--force`` retrains anyway (bench/training_time.py uses it).
Run with the assistant env: .venv-assistant/bin/python assistant/train.py
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE / "models"
INPUTS = ("config.yml", "domain.yml", "data")


def data_hash(root: Path = HERE) -> str:
    digest = hashlib.sha256()
    files: list[Path] = []
    for name in INPUTS:
        path = root / name
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def model_path(key: str) -> Path:
    return MODELS / f"coi-{key[:12]}.tar.gz"


def latest_model() -> Path | None:
    """The newest trained model, or None."""
    models = sorted(MODELS.glob("coi-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def train(force: bool = False, quiet: bool = False) -> Path:
    key = data_hash()
    target = model_path(key)
    if target.exists() and not force:
        print(f"model up to date ({key[:12]}): {target.relative_to(HERE.parent)}")
        return target
    MODELS.mkdir(exist_ok=True)
    rasa = Path(sys.executable).with_name("rasa")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    command = [
        str(rasa), "train", "--config", "config.yml", "--domain", "domain.yml",
        "--data", "data", "--out", str(MODELS), "--fixed-model-name", target.name[: -len(".tar.gz")],
        "--force",
        # No story augmentation: the dialogue is rules plus a few stories, and augmenting 50x
        # only slows MemoizationPolicy training down.
        "--augmentation", "0",
    ]  # fmt: skip
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=HERE, env=env, capture_output=quiet, text=True, check=False
    )
    if completed.returncode != 0:
        if quiet:
            sys.stderr.write((completed.stdout or "")[-3000:] + (completed.stderr or "")[-3000:])
        raise SystemExit(f"error: rasa train failed with exit code {completed.returncode}")
    for old in MODELS.glob("coi-*.tar.gz"):
        if old != target:
            old.unlink()
    print(
        f"trained in {time.perf_counter() - started:.1f} s ({key[:12]}): {target.relative_to(HERE.parent)}"
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description="Train the reference assistant if needed.")
    parser.add_argument("--force", action="store_true", help="retrain even if up to date")
    parser.add_argument("--quiet", action="store_true", help="hide Rasa's training output")
    args = parser.parse_args()
    train(force=args.force, quiet=args.quiet)


if __name__ == "__main__":
    main()
