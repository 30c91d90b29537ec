from __future__ import annotations

import json
import re

import pytest

import audit
from tests.audit.cli.harness_fixtures import invoke, make_setup, run_dir_of
from tests.fakebot import FakeRasa, patch_detector, write_target


@pytest.fixture(autouse=True)
def _detector(monkeypatch):
    patch_detector(monkeypatch)


@pytest.fixture
def bot():
    with FakeRasa() as server:
        yield server


def test_run_creates_a_complete_run(tmp_path, bot):
    setup = make_setup(tmp_path, bot.url)
    result = invoke(setup.run_args("--seed", "5", "--concurrency", "3"))
    assert result.exit_code == 0, result.output
    run_dir = run_dir_of(result)
    assert run_dir.parent == setup.runs
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", run_dir.name)
    assert "Run summary" in result.stdout and "commercial" in result.stdout

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["seed"] == 5
    assert manifest["scenario_count"] == 2 and manifest["cell_count"] == 8
    assert manifest["conversation_count"] == 16 == manifest["counts"]["conversations"]
    assert set(manifest["arms"]) == {"neutral", "commercial"}
    assert manifest["arms"]["neutral"]["target"]["metadata"] == {"policy": "neutral"}
    assert len(manifest["arms"]["neutral"]["sha256"]) == 64
    assert [f["path"].rsplit("/", 1)[1] for f in manifest["battery"]["files"]] == [
        "personas.yml",
        "s0.yml",
        "s1.yml",
    ]
    assert manifest["bot_versions"]["neutral"]["version"]["version"] == "3.6.21-fake"
    assert manifest["detector"] == {"name": "keyword-detector", "version": "test-1"}
    assert manifest["started_at"] <= manifest["ended_at"]

    run = audit.load_run(run_dir)
    assert len(run.conversations) == 16 and (run.conversations.status == "done").all()
    from audit.store import Store

    with Store(run_dir, read_only=True) as store:
        assert store.hash_root() == manifest["hash_root"]


def test_json_mode_limit_and_repeats(tmp_path, bot):
    setup = make_setup(tmp_path, bot.url)
    result = invoke(setup.run_args("--limit", "3", "--repeats", "2", "--json"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["conversations"] == 6 and report["counts"]["errors"] == 0
    assert set(report["arms"]) == {"neutral", "commercial"}
    assert report["arms"]["neutral"]["pushes"] == 0
    run = audit.load_run(report["run_dir"])
    # --repeats 2 then the first 3 cells: r0, r1 of the first paraphrase, then r0 of the next.
    assert sorted(set(run.conversations.cell_id)) == [
        "weather-0/adult/p0/r0",
        "weather-0/adult/p0/r1",
        "weather-0/adult/p1/r0",
    ]


def test_target_url_override_and_no_secrets_in_manifest(tmp_path, bot, monkeypatch):
    monkeypatch.setenv("BOT_TOKEN", "tok-very-secret")
    setup = make_setup(tmp_path, "http://127.0.0.1:9")  # nothing listens there
    http = tmp_path / "http.yml"
    http.write_text(
        "kind: http\nname: h\nurl: http://user:pw@127.0.0.1:9\n"
        'headers: {Authorization: "Bearer ${BOT_TOKEN}"}\n'
        "request: {path: /webhooks/rest/webhook, body: "
        '\'{"sender": {{ conversation_id }}, "message": {{ text }}, '
        '"metadata": {{ metadata }}}\'}\n'
        "reply_path: '*.text'\n"
    )
    args = setup.run_args("--target-url", bot.url, "--quiet")
    args[args.index(f"commercial={setup.commercial}")] = f"commercial={http}"
    result = invoke(args)
    assert result.exit_code == 0, result.output
    run_dir = run_dir_of(result)
    text = (run_dir / "manifest.json").read_text()
    assert "tok-very-secret" not in text and "pw@" not in text and "Authorization" not in text
    assert json.loads(text)["options"]["target_url"] == bot.url
    run = audit.load_run(run_dir)
    assert (run.conversations.status == "done").all()
    assert result.stdout.strip() == str(run_dir)  # --quiet: only the run directory


def test_too_many_errors_exit_1_with_a_clear_message(tmp_path, bot):
    setup = make_setup(tmp_path, bot.url)
    # The commercial arm's bot always answers 500: half of the conversations fail.
    write_target(setup.commercial, "rasa", bot.url, policy="commercial", fault="http500")
    path = setup.commercial
    path.write_text(path.read_text().replace("retries: 2", "retries: 0"))
    result = invoke(setup.run_args("--quiet", "--limit", "2"))
    assert result.exit_code == 1
    assert "2 of 4 conversations failed (50%), more than --max-error-share 0.2" in result.stderr
    assert "HTTP 500" in result.stderr
    assert "Traceback" not in result.output
    result = invoke(setup.run_args("--quiet", "--limit", "2", "--max-error-share", "0.5"))
    assert result.exit_code == 0


def test_an_unreachable_bot_fails_before_the_run(tmp_path):
    setup = make_setup(tmp_path, "http://127.0.0.1:9")  # nothing listens on the discard port
    result = invoke(setup.run_args("--quiet"))
    assert result.exit_code == 1
    assert "arm neutral, commercial: cannot connect to http://127.0.0.1:9" in result.stderr
    assert "coi-audit assistant start" in result.stderr
    assert not setup.runs.exists() or not any(setup.runs.iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "run needs --battery FILE and at least one --arm"),
        (["--battery", "b.yml", "--arm", "nope"], "expected NAME=TARGET.yml"),
        (["--battery", "b.yml", "--arm", "a:b=x.yml"], "arm names use letters"),
        (["--battery", "b.yml", "--arm", "a=x.yml", "--arm", "a=y.yml"], "given twice"),
    ],
)
def test_usage_errors(tmp_path, args, message):
    result = invoke(["run", "--out", str(tmp_path), *args])
    assert result.exit_code == 1 and message in result.stderr


def test_invalid_target_file_is_located(tmp_path, bot):
    setup = make_setup(tmp_path, bot.url)
    setup.neutral.write_text("kind: rasa\nname: n\nurl: http://127.0.0.1:1\nretries: many\n")
    result = invoke(setup.run_args())
    assert result.exit_code == 1
    assert f"{setup.neutral}:4:10: 'retries' must be an integer >= 0" in result.stderr
    assert not setup.runs.exists() or not any(setup.runs.iterdir())


def test_resume_refuses_changed_options_and_files(tmp_path, bot):
    setup = make_setup(tmp_path, bot.url)
    run_dir = run_dir_of(invoke(setup.run_args("--quiet", "--limit", "1")))
    result = invoke(["run", "--resume", str(run_dir), "--seed", "9"])
    assert result.exit_code == 1 and "--seed 9 (run used 0)" in result.stderr
    again = invoke(["run", "--resume", str(run_dir), "--quiet"])
    assert again.exit_code == 0, again.output
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["resumes"][0]["ended_at"] and manifest["status"] == "complete"
    (tmp_path / "battery" / "s0.yml").write_text(
        (tmp_path / "battery" / "s0.yml").read_text() + "\n"
    )
    result = invoke(["run", "--resume", str(run_dir)])
    assert result.exit_code == 1 and "changed or missing since the run started" in result.stderr
    assert "s0.yml" in result.stderr
