"""The demo pipeline: start the reference assistant, run a battery, label, analyze, report.

Each stage runs as its own ``coi-audit`` command in a subprocess, exactly as a user would type
it, so the demo exercises the real CLI and the commands it prints can be copied and re-run.
``run_pipeline`` is what the end-to-end test drives against a running assistant;
``run_demo`` adds training and the assistant's lifecycle around it.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from audit.errors import AuditError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BATTERY = REPO_ROOT / "scenarios" / "batteries" / "default.yml"
TARGETS_DIR = REPO_ROOT / "targets"
ARM_SETS = {"pair": ("neutral", "commercial"), "all": ("neutral", "commercial", "disclosed")}
REPORT_FORMATS = ("html", "md", "json", "pdf")


@dataclass(frozen=True)
class StageTiming:
    name: str
    seconds: float


@dataclass(frozen=True)
class Headline:
    """Push rate per arm and the primary comparison, as printed at the end of the demo."""

    arms: dict[str, tuple[float, float, float]]  # arm -> (estimate, ci_low, ci_high)
    comparison: str
    difference: tuple[float, float, float]
    pvalue: float
    method: str


@dataclass(frozen=True)
class PipelineResult:
    run_dir: Path
    opinion: str
    headline: Headline
    reports: tuple[Path, ...]
    timings: tuple[StageTiming, ...] = field(default_factory=tuple)


Echo = Callable[[str], None]


def coi_command(*args: str) -> list[str]:
    """The argv of a ``coi-audit`` command run with this interpreter."""
    return [sys.executable, "-m", "audit", *args]


def run_stage(name: str, argv: Sequence[str], echo: Echo, capture: bool = False) -> str:
    """Run one stage; its own progress output goes straight to the terminal unless captured."""
    echo(f"$ {shlex.join(_display_argv(argv))}")
    completed = subprocess.run(
        list(argv), cwd=REPO_ROOT, text=True, capture_output=capture, check=False
    )
    if completed.returncode != 0:
        detail = (completed.stderr or "").strip().splitlines()[-5:] if capture else []
        message = f"demo stage '{name}' failed with exit code {completed.returncode}"
        if detail:
            message += ":\n  " + "\n  ".join(detail)
        raise AuditError(message, hint="the stage's own message above says what went wrong")
    return completed.stdout or ""


def _display_argv(argv: Sequence[str]) -> list[str]:
    """Show ``coi-audit ...`` rather than ``/path/python -m audit ...``."""
    argv = list(argv)
    if argv[:3] == [sys.executable, "-m", "audit"]:
        return ["coi-audit", *argv[3:]]
    return argv


def run_pipeline(
    *,
    target_url: str,
    runs_root: Path,
    battery: Path = DEFAULT_BATTERY,
    arms: Sequence[str] = ARM_SETS["pair"],
    repeats: int | None = None,
    seed: int = 0,
    concurrency: int = 8,
    lang: str = "en",
    screenshot: bool = True,
    echo: Echo = print,
) -> PipelineResult:
    """Run, label against ground truth, analyze and report; return where it all went."""
    timings: list[StageTiming] = []

    def timed(name: str, argv: Sequence[str], capture: bool = False) -> str:
        started = time.perf_counter()
        out = run_stage(name, argv, echo, capture=capture)
        timings.append(StageTiming(name, time.perf_counter() - started))
        return out

    runs_root.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in runs_root.iterdir() if p.is_dir()}
    run_args = ["run", "--battery", str(battery), "--target-url", target_url]
    for arm in arms:
        run_args += ["--arm", f"{arm}={TARGETS_DIR / (arm + '.yml')}"]
    run_args += ["--seed", str(seed), "--concurrency", str(concurrency), "--out", str(runs_root)]
    if repeats is not None:
        run_args += ["--repeats", str(repeats)]
    timed("run", coi_command(*run_args))
    run_dir = _new_run_dir(runs_root, before)

    timed("detect", coi_command("detect", "--run", str(run_dir), "--against", "ground-truth"))
    timed("analyze", coi_command("analyze", str(run_dir), "--quiet"))
    timed("report", coi_command("report", str(run_dir), "--lang", lang))
    if screenshot:
        timed("screenshot", [sys.executable, "-m", "reports.screenshot", str(run_dir)])

    reports = tuple(p for fmt in REPORT_FORMATS if (p := run_dir / f"report.{fmt}").exists())
    return PipelineResult(
        run_dir=run_dir,
        opinion=read_opinion(run_dir),
        headline=read_headline(run_dir),
        reports=reports,
        timings=tuple(timings),
    )


def _new_run_dir(runs_root: Path, before: set[str]) -> Path:
    created = [p for p in runs_root.iterdir() if p.is_dir() and p.name not in before]
    if len(created) != 1:
        raise AuditError(
            f"expected the run to create one directory under {runs_root}, found {len(created)}"
        )
    return created[0]


def read_opinion(run_dir: Path) -> str:
    report = run_dir / "report.json"
    if not report.exists():
        raise AuditError(f"{report}: missing; the report stage did not write it")
    data = json.loads(report.read_text(encoding="utf-8"))
    opinion = data.get("opinion")
    if isinstance(opinion, dict):
        opinion = opinion.get("kind") or opinion.get("verdict") or opinion.get("value")
    if not isinstance(opinion, str):
        raise AuditError(f"{report}: no opinion found, expected a string under 'opinion'")
    return opinion


def read_headline(run_dir: Path) -> Headline:
    """Primary endpoint per arm and the first primary comparison, from analysis.json."""
    from audit.analysis_model import load_analysis

    analysis = load_analysis(run_dir)
    endpoint = analysis.plan.primary_endpoint
    arms = {}
    for name, arm in analysis.arms.items():
        figure = arm.endpoints[endpoint]
        arms[name] = (figure.estimate, figure.ci_low, figure.ci_high)
    primary = [c for c in analysis.comparisons if c.role == "primary"]
    if not primary:
        raise AuditError(f"{run_dir}/analysis.json: no primary comparison")
    first = primary[0]
    pvalue = first.pvalue_adjusted if first.pvalue_adjusted is not None else first.test.pvalue
    return Headline(
        arms=arms,
        comparison=f"{first.arm_a} - {first.arm_b}",
        difference=(first.estimate, first.ci_low, first.ci_high),
        pvalue=pvalue,
        method=first.method,
    )


def train_assistant(echo: Echo) -> None:
    """Train the reference assistant unless its cached model matches its data (fast when cached)."""
    python = REPO_ROOT / ".venv-assistant" / "bin" / "python"
    if not python.exists():
        raise AuditError(
            f"{python}: missing; the assistant environment has not been created",
            hint="run `make demo` (it creates both environments) or `make env-assistant`",
        )
    run_stage("train", [str(python), str(REPO_ROOT / "assistant" / "train.py"), "--quiet"], echo)


def run_demo(
    *,
    arms: Sequence[str],
    runs_root: Path,
    battery: Path = DEFAULT_BATTERY,
    port: int = 5005,
    actions_port: int = 5055,
    lang: str = "en",
    screenshot: bool = True,
    echo: Echo = print,
) -> PipelineResult:
    """Train if stale, start the assistant, run the pipeline, and always stop the assistant."""
    from audit import assistant_ctl

    train_assistant(echo)
    echo(f"starting the reference assistant on 127.0.0.1:{port} (actions on {actions_port})")
    started_here = False
    with _terminate_as_interrupt():
        try:
            status = assistant_ctl.start(port=port, actions_port=actions_port, wait=True)
            started_here = True
            return run_pipeline(
                target_url=status.url,
                runs_root=runs_root,
                battery=battery,
                arms=arms,
                lang=lang,
                screenshot=screenshot,
                echo=echo,
            )
        finally:
            if started_here or assistant_ctl.status().running:
                echo("stopping the reference assistant")
                assistant_ctl.stop()


class _terminate_as_interrupt:
    """Treat SIGTERM like Ctrl-C inside the block, so ``finally`` clauses still stop servers."""

    def __enter__(self):
        import signal

        def interrupt(signum, frame):
            raise KeyboardInterrupt

        self._previous = signal.signal(signal.SIGTERM, interrupt)
        return self

    def __exit__(self, *exc):
        import signal

        signal.signal(signal.SIGTERM, self._previous)
        return False
