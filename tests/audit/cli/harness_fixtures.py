"""Shared setup for the run/verify/export command tests: a fake bot, a battery, two arms."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from audit.cli.main import cli
from tests.fakebot import write_battery, write_target


@dataclass
class Setup:
    battery: Path
    neutral: Path
    commercial: Path
    runs: Path

    def run_args(self, *extra: str) -> list[str]:
        return [
            "run",
            "--battery",
            str(self.battery),
            "--arm",
            f"neutral={self.neutral}",
            "--arm",
            f"commercial={self.commercial}",
            "--out",
            str(self.runs),
            *extra,
        ]


def make_setup(tmp_path: Path, url: str, kind: str = "rasa") -> Setup:
    return Setup(
        battery=write_battery(tmp_path / "battery"),
        neutral=write_target(tmp_path / "neutral.yml", kind, url, policy="neutral"),
        commercial=write_target(tmp_path / "commercial.yml", kind, url, policy="commercial"),
        runs=tmp_path / "runs",
    )


def invoke(args: list[str]) -> Result:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result


def run_dir_of(result: Result) -> Path:
    return Path(result.stdout.splitlines()[0])
