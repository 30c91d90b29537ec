"""train.py's cache key: a sha256 over config.yml, domain.yml and data/**."""

from __future__ import annotations

import shutil

import train


def copy_project(tmp_path):
    for name in ("config.yml", "domain.yml"):
        shutil.copy(train.HERE / name, tmp_path / name)
    shutil.copytree(train.HERE / "data", tmp_path / "data")
    return tmp_path


def test_hash_is_stable_and_changes_with_any_input(tmp_path):
    root = copy_project(tmp_path)
    key = train.data_hash(root)
    assert key == train.data_hash(root)
    assert key == train.data_hash(train.HERE)  # same content, same key
    (root / "data" / "nlu.yml").write_text((root / "data" / "nlu.yml").read_text() + "\n")
    changed = train.data_hash(root)
    assert changed != key
    (root / "data" / "extra.yml").write_text('version: "3.1"\n')
    assert train.data_hash(root) != changed


def test_model_path_carries_the_key():
    key = "ab" * 32
    assert train.model_path(key).name == f"coi-{key[:12]}.tar.gz"
