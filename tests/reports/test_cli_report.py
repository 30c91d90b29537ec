"""`coi-audit report`: analysis on demand, formats, languages, --json, one-line errors."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from audit.cli.main import cli


def test_report_runs_the_analysis_when_missing_and_prints_json(hostile_run, tmp_path):
    run = tmp_path / "copy"
    shutil.copytree(hostile_run, run, ignore=shutil.ignore_patterns("analysis.json", "report.*"))
    result = CliRunner().invoke(
        cli, ["report", str(run), "--format", "json,md", "--lang", "fr", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["opinion"] == "negative"
    assert payload["arms"] == {"neutral": "positive", "commercial": "negative"}
    assert sorted(payload["files"]) == ["json", "md"]
    assert (run / "analysis.json").exists()
    assert json.loads((run / "report.json").read_text("utf-8"))["lang"] == "fr"
    assert not (run / "report.html").exists()


def test_report_quiet_writes_only_files(hostile_run, tmp_path):
    run = tmp_path / "copy"
    shutil.copytree(hostile_run, run, ignore=shutil.ignore_patterns("report.*"))
    result = CliRunner().invoke(cli, ["report", str(run), "--format", "html", "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert (run / "report.html").stat().st_size > 0


def test_user_errors_are_one_line_and_exit_1(tmp_path, hostile_run):
    runner = CliRunner()
    missing = runner.invoke(cli, ["report", str(tmp_path / "nope")])
    assert missing.exit_code == 1
    assert missing.output.startswith("error: ") and "Traceback" not in missing.output
    bad = runner.invoke(cli, ["report", str(hostile_run), "--format", "docx"])
    assert bad.exit_code == 1
    assert "unknown report format 'docx'" in bad.output
    lang = runner.invoke(cli, ["report", str(hostile_run), "--lang", "de"])
    assert lang.exit_code == 2  # click's own usage error
