"""scripts/ensure-env.sh: a machine without Python 3.10 gets one clear line, not a pip traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_missing_python_310_fails_with_one_line(tmp_path):
    # A PATH with the system's tools but no python and no pyenv, and a HOME without ~/.pyenv.
    fakebin = tmp_path / "bin"
    fakebin.mkdir()
    for directory in ("/usr/bin", "/bin"):
        for tool in Path(directory).iterdir():
            name = tool.name
            if name.startswith(("python", "pyenv")) or (fakebin / name).exists():
                continue
            if os.access(tool, os.X_OK):
                (fakebin / name).symlink_to(tool)
    project = tmp_path / "project"
    shutil.copytree(ROOT / "scripts", project / "scripts")
    (project / "assistant").mkdir()
    for name in ("pyproject.toml", "constraints.txt", "assistant/requirements.txt"):
        (project / name).write_text("")
    (project / "assistant" / "constraints.txt").write_text("")

    completed = subprocess.run(
        ["bash", "scripts/ensure-env.sh", "assistant"],
        cwd=project,
        env={"PATH": str(fakebin), "HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        "error: Python 3.10 not found (needed for .venv-assistant): install it "
        "(e.g. 'pyenv install 3.10') or put python3.10 on PATH"
    ]
    assert not (project / ".venv-assistant").exists()
