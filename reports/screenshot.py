"""Screenshot of a report's first screen: ``python -m reports.screenshot RUN`` -> RUN/report.png.

Uses Debian's headless ``chromium`` (installed by ``make system-deps``) at 1280x900. Chromium
runs with networking pointed at nowhere, so the screenshot also shows that the page needs
nothing from outside. Without chromium it says so and exits 0 (nothing to do, not a failure
of the report); ``--strict`` makes that exit 1.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import click

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "headless_shell")
WIDTH, HEIGHT = 1280, 900


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_args(chromium: str, profile: str) -> list[str]:
    """Flags for a headless, offline, sandbox-free (we may run as root in CI) Chromium."""
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-sync",
        "--proxy-server=127.0.0.1:9",  # any network access would fail, not leak
        "--proxy-bypass-list=<-loopback>",
        f"--user-data-dir={profile}",
    ]


def run_chromium(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="coi-chromium-") as profile:
        argv = chromium_args(args[0], profile) + args[1:]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


def screenshot(html: Path, png: Path, chromium: str) -> Path:
    from audit.fsutil import atomic_write_bytes

    with tempfile.TemporaryDirectory(prefix="coi-shot-") as tmp:
        out = Path(tmp) / "shot.png"
        result = run_chromium(
            [
                chromium,
                f"--window-size={WIDTH},{HEIGHT}",
                f"--screenshot={out}",
                html.resolve().as_uri(),
            ]
        )
        if not out.exists():
            detail = (result.stderr or "").strip().splitlines()[-3:]
            raise RuntimeError("chromium wrote no screenshot: " + " | ".join(detail))
        atomic_write_bytes(png, out.read_bytes())
    return png


def dump_dom(html: Path, chromium: str) -> str:
    """The DOM after scripts ran (``--dump-dom``): what a browser would show."""
    result = run_chromium(
        [chromium, "--virtual-time-budget=2000", "--dump-dom", html.resolve().as_uri()]
    )
    return result.stdout


@click.command()
@click.argument("run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 when chromium is missing.")
def main(run: Path, strict: bool) -> None:
    """Write RUN/report.png: the first 1280x900 screen of RUN/report.html."""
    html = run / "report.html"
    if not html.exists():
        click.echo(f"error: {html}: missing; run `coi-audit report {run}` first", err=True)
        sys.exit(1)
    chromium = find_chromium()
    if chromium is None:
        click.echo(
            "skipped: no headless chromium found (install Debian's chromium, e.g. "
            "`make system-deps`)",
            err=True,
        )
        sys.exit(1 if strict else 0)
    try:
        png = screenshot(html, run / "report.png", chromium)
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        click.echo(f"error: screenshot failed: {exc}", err=True)
        sys.exit(1)
    click.echo(str(png))


if __name__ == "__main__":
    main()
