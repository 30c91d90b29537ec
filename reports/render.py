"""Render a ``Report`` as HTML, Markdown, JSON and PDF, and write them atomically.

Untrusted text (bot replies, ids, names from the run) is data, never markup:
- HTML: Jinja2 autoescape; a Content-Security-Policy allows only the page's own script (by
  hash), so even a mistake in escaping could not run injected script.
- Markdown: the environment's ``finalize`` escapes every printed value (``md_escape``) unless
  it comes from the message catalogue; code spans and fences go through ``code``/``fence``.
- Templates are rendered once; the data inside them is never rendered as a template.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from audit.errors import AuditError
from audit.fsutil import atomic_write_bytes, atomic_write_text
from reports import charts as chart_module
from reports.findings import ENDPOINT_RULES
from reports.i18n import LANGS, Messages, messages
from reports.model import ENDPOINT_ORDER, Report, build_report

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("html", "md", "json", "pdf")
SECTIONS = (
    "opinion",
    "scope",
    "methodology",
    "findings",
    "results",
    "coverage",
    "limitations",
    "reproducibility",
)

# The transcript filter: the only script in the page; the CSP allows it by its hash.
SCRIPT = """(function () {
  var list = document.getElementById('transcript-list');
  if (!list) { return; }
  var items = list.querySelectorAll('details.transcript');
  var arm = document.getElementById('f-arm'), domain = document.getElementById('f-domain');
  var push = document.getElementById('f-push'), count = document.getElementById('f-count');
  function apply() {
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var d = items[i].dataset;
      var ok = (!arm.value || d.arm === arm.value) && (!domain.value || d.domain === domain.value)
        && (!push.value || d.push === push.value);
      items[i].hidden = !ok;
      if (ok) { shown++; }
    }
    count.textContent = shown + ' / ' + items.length;
  }
  [arm, domain, push].forEach(function (el) { el.addEventListener('change', apply); });
  apply();
  document.documentElement.setAttribute('data-script', 'ran');
})();"""
SCRIPT_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode() + "'"

# Inline specials (emphasis, code, links, raw HTML, entities, tables) and braces, so that a
# template engine downstream (Liquid, MkDocs macros) does not see ``{{``; block markers only
# matter at the start of the text.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&])")
_MD_BLOCK_START = re.compile(r"^(\s*)([#+\-=>]|\d+[.)])")


def md_escape(text: object) -> str:
    """Escape Markdown/HTML specials so the text renders literally; one line, no raw HTML."""
    text = str(text).replace("\r", " ").replace("\n", " ")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(_escape_block_marker, text)


def _escape_block_marker(match: re.Match) -> str:
    marker = match.group(2)
    if marker[0].isdigit():  # "1." starts a list; "1\." does not
        return match.group(1) + marker[:-1] + "\\" + marker[-1]
    return match.group(1) + "\\" + marker


def md_code(text: object) -> Markup:
    """An inline code span that cannot be broken out of (backtick runs are longer than any inside)."""
    text = str(text).replace("\n", " ")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def md_fence(text: object) -> Markup:
    """Text for a ``` fenced block: a line of backticks inside cannot close the fence."""
    return Markup(re.sub(r"`{3,}", lambda m: "`\u200b" * len(m.group()), str(text)))


def _finalize_md(value):
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return md_escape(value)


@cache
def _environment(kind: str) -> Environment:
    if kind == "html":
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=False,
        )
    else:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=False,
            finalize=_finalize_md,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        env.filters["code"] = md_code
        env.filters["fence"] = md_fence
    return env


def _context(report: Report, msg: Messages, markdown: bool) -> dict:
    wrap = Markup if markdown else str  # catalogue text is trusted: not Markdown-escaped

    def t(key: str, **values) -> str:
        return wrap(msg.text(key, **values))

    def label(fn):
        return lambda name: wrap(fn(str(name)))

    severity_table = [
        {"type": ftype, "established": rule.established, "observed": rule.observed}
        for ftype, rule in ENDPOINT_RULES.items()
    ]
    severity_table += [
        {"type": "false_scarcity_or_urgency", "established": "medium", "observed": "low"},
        {"type": "manipulative_technique", "established": "medium", "observed": "low"},
    ]
    keys = [k for k in ENDPOINT_ORDER if any(k in a.endpoints for a in report.results.arms)]
    keys += sorted({k for a in report.results.arms for k in a.endpoints} - set(keys))
    return {
        "r": report,
        "t": t,
        "endpoint": label(msg.endpoint),
        "technique": label(msg.technique),
        "reaction": label(msg.reaction),
        "catalogue": msg.keys(),
        "sections": SECTIONS,
        "severity_table": severity_table,
        "endpoint_keys": keys,
        "arm_rows": {a.arm: a for a in report.results.arms},
        "manifest_json": json.dumps(report.reproducibility.manifest, indent=2, ensure_ascii=False),
    }


def _with_filters(env: Environment, msg: Messages, markdown: bool) -> Environment:
    env = env.overlay()
    wrap = Markup if markdown else str
    env.filters["pct"] = lambda x, signed=False: wrap(msg.pct(x, signed=signed))
    env.filters["pvalue"] = lambda p: wrap(msg.pvalue(p))
    env.filters["when"] = when
    return env


def when(value: str | None) -> str:
    """An ISO timestamp as '2026-11-25 09:00 UTC' (unparseable values are shown as given)."""
    from datetime import UTC, datetime

    if not value:
        return "–"
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M")


def render_html(report: Report, print_mode: bool = False, charts: dict | None = None) -> str:
    msg = messages(report.lang)
    env = _with_filters(_environment("html"), msg, markdown=False)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    svgs = charts if charts is not None else chart_module.all_charts(report, msg)
    context = _context(report, msg, markdown=False)
    context.update(
        css=Markup(css),
        charts={k: Markup(v) for k, v in svgs.items()},
        print_mode=print_mode,
        script=Markup(SCRIPT),
        script_hash=Markup(SCRIPT_HASH),
    )
    return env.get_template("report.html.j2").render(context)


def render_markdown(report: Report) -> str:
    msg = messages(report.lang)
    env = _with_filters(_environment("md"), msg, markdown=True)
    text = env.get_template("report.md.j2").render(_context(report, msg, markdown=True))
    return re.sub(r"\n{3,}", "\n\n", text)


def render_json(report: Report) -> str:
    return report.model_dump_json(indent=1) + "\n"


def render_pdf(report: Report, charts: dict | None = None) -> bytes:
    """PDF from the print HTML (no transcript browser, no script) with WeasyPrint."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    html = render_html(report, print_mode=True, charts=charts)
    # No base URL and a fetcher that refuses everything: the PDF never touches the network.
    return HTML(string=html, base_url=None, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"external resource refused: {url}")


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = []
    for item in (i.strip().lower() for i in items):
        if not item:
            continue
        if item == "markdown":
            item = "md"
        if item not in FORMATS:
            raise AuditError(
                f"unknown report format '{item}' (choose from {', '.join(FORMATS)})",
            )
        if item not in chosen:
            chosen.append(item)
    if not chosen:
        raise AuditError(f"no report format given (choose from {', '.join(FORMATS)})")
    return tuple(chosen)


def write_report(
    report: Report, out_dir: str | Path, formats=FORMATS, progress=None
) -> dict[str, Path]:
    """Write the report in ``formats`` to ``out_dir/report.<fmt>`` (atomic writes).

    ``progress(message)``, if given, is called before each step."""
    out_dir = Path(out_dir)
    formats = parse_formats(formats)
    written: dict[str, Path] = {}
    step = progress or (lambda message: None)
    charts = None
    if "html" in formats or "pdf" in formats:
        step("charts")
        charts = chart_module.all_charts(report, messages(report.lang))
    for fmt in formats:
        step(fmt)
        target = out_dir / f"report.{fmt}"
        if fmt == "html":
            atomic_write_text(target, render_html(report, charts=charts))
        elif fmt == "md":
            atomic_write_text(target, render_markdown(report))
        elif fmt == "json":
            atomic_write_text(target, render_json(report))
        else:
            atomic_write_bytes(target, render_pdf(report, charts=charts))
        written[fmt] = target
    return written


def render(run_dir: str | Path, formats=FORMATS, lang: str = "en") -> dict[str, Path]:
    """Build the report of ``run_dir`` and write ``report.<fmt>`` beside its store."""
    if lang not in LANGS:
        raise AuditError(f"unknown report language {lang!r} (choose from {', '.join(LANGS)})")
    formats = parse_formats(formats)
    report = build_report(run_dir, lang=lang)
    return write_report(report, run_dir, formats)
