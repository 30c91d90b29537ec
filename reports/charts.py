"""Charts as inline SVG strings (matplotlib, Agg): the HTML stays one self-contained file.

Text stays text (``svg.fonttype: none``) so it is searchable and small; labels from the run are
plain text for matplotlib (``text.parse_math`` off, so a ``$`` in a name is not TeX) and are
XML-escaped by its SVG writer. Metadata that would put URLs or dates in the file is dropped.
"""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from audit.vocabulary import TECHNIQUES

PALETTE = ("#1f3a5f", "#b5472b", "#4f8a5b", "#8a6d1f", "#6b4f8a", "#2f7f8a")
STYLE = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#5a6270",
    "axes.labelcolor": "#1b1f24",
    "xtick.color": "#1b1f24",
    "ytick.color": "#1b1f24",
    "axes.grid": True,
    "grid.color": "#e3e6eb",
    "grid.linewidth": 0.6,
}
_HEADER = re.compile(r"^.*?(?=<svg)", re.S)


def _svg(fig, salt: str) -> str:
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": salt}):
        fig.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    plt.close(fig)
    # Drop the XML declaration and DOCTYPE: the SVG is inlined in HTML.
    return _HEADER.sub("", buffer.getvalue(), count=1)


def _empty(msg, salt: str) -> str:
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, msg.text("chart.axis.no_data"), ha="center", va="center")
        return _svg(fig, salt)


def _err(est, low, high):
    est = [e if e is not None else 0.0 for e in est]
    lo = [max(0.0, e - (lw if lw is not None else e)) for e, lw in zip(est, low, strict=True)]
    hi = [max(0.0, (h if h is not None else e) - e) for e, h in zip(est, high, strict=True)]
    return est, [lo, hi]


def _percent_axis(ax, axis: str = "y") -> None:
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=0))


def push_rate_chart(report, msg) -> str:
    """Primary endpoint per arm, bars with 95% CI whiskers."""
    key = report.results.primary_endpoint
    arms = [a for a in report.results.arms if key in a.endpoints]
    if not arms:
        return _empty(msg, "push_rate")
    figs = [a.endpoints[key] for a in arms]
    est, err = _err([f.estimate for f in figs], [f.ci_low for f in figs], [f.ci_high for f in figs])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 0.5 + 0.55 * len(arms)))
        y = range(len(arms))
        colors = [PALETTE[i % len(PALETTE)] for i in y]
        ax.barh(list(y), est, xerr=err, color=colors, capsize=4, height=0.6, ecolor="#1b1f24")
        ax.set_yticks(list(y), [a.arm for a in arms])
        ax.invert_yaxis()
        ax.set_xlabel(msg.endpoint(key))
        ax.set_xlim(0, max(0.05, max((f.ci_high or f.estimate or 0) for f in figs) * 1.15))
        _percent_axis(ax, "x")
        ax.grid(axis="y", visible=False)
        for i, f in enumerate(figs):
            ax.text(
                (f.ci_high or f.estimate or 0) + 0.005,
                i,
                msg.pct(f.estimate),
                va="center",
                fontsize=8,
            )
        return _svg(fig, "push_rate")


def domain_chart(report, msg) -> str:
    """Breakdown by domain: grouped bars per arm with CI whiskers."""
    rows = report.results.breakdowns.get("domain") or []
    if not rows:
        return _empty(msg, "domain")
    arms = [a.arm for a in report.results.arms] or sorted({r.arm for r in rows})
    levels = sorted({r.level for r in rows})
    by = {(r.arm, r.level): r for r in rows}
    width = 0.8 / max(1, len(arms))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.2, 3.2))
        for i, arm in enumerate(arms):
            cells = [by.get((arm, lv)) for lv in levels]
            est, err = _err(
                [c.estimate if c else None for c in cells],
                [c.ci_low if c else None for c in cells],
                [c.ci_high if c else None for c in cells],
            )
            xs = [j + (i - (len(arms) - 1) / 2) * width for j in range(len(levels))]
            ax.bar(
                xs,
                est,
                width=width,
                yerr=err,
                capsize=2,
                label=arm,
                color=PALETTE[i % len(PALETTE)],
                ecolor="#1b1f24",
                error_kw={"elinewidth": 0.7},
            )
        ax.set_xticks(range(len(levels)), levels, rotation=30, ha="right")
        ax.set_ylabel(msg.text("chart.axis.rate"))
        _percent_axis(ax, "y")
        ax.grid(axis="x", visible=False)
        ax.legend(frameon=False, fontsize=8)
        return _svg(fig, "domain")


def technique_chart(report, msg) -> str:
    """Share of each arm's pushes that used each technique (a push may use several)."""
    arms = [a for a in report.results.arms if sum(a.techniques.values()) > 0]
    if not arms:
        return _empty(msg, "techniques")
    names = [t for t in TECHNIQUES if any(a.techniques.get(t) for a in arms)]
    names += sorted({t for a in arms for t in a.techniques if t not in names and a.techniques[t]})
    width = 0.8 / len(arms)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7.2, 0.6 + 0.35 * len(names) * max(1, len(arms)) ** 0.5))
        for i, arm in enumerate(arms):
            pushes = arm.endpoints.get("push_rate")
            # Denominator: the arm's pushes on help turns when known, else technique uses.
            total = (pushes.k if pushes and pushes.k else None) or sum(arm.techniques.values())
            shares = [arm.techniques.get(t, 0) / total for t in names]
            ys = [j + (i - (len(arms) - 1) / 2) * width for j in range(len(names))]
            ax.barh(ys, shares, height=width, label=arm.arm, color=PALETTE[i % len(PALETTE)])
        ax.set_yticks(range(len(names)), [msg.technique(t) for t in names])
        ax.invert_yaxis()
        ax.set_xlabel(msg.text("chart.axis.share"))
        _percent_axis(ax, "x")
        ax.grid(axis="y", visible=False)
        ax.legend(frameon=False, fontsize=8)
        return _svg(fig, "techniques")


def km_chart(report, msg) -> str:
    """Kaplan-Meier curves of time (bot turns) to the first push, with CI bands."""
    arms = [a for a in report.results.arms if a.km.get("times")]
    if not arms:
        return _empty(msg, "km")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.4, 3.0))
        for i, arm in enumerate(arms):
            km = arm.km
            times = [0.0, *km["times"]]
            surv = [1.0, *km["survival"]]
            color = PALETTE[i % len(PALETTE)]
            ax.step(times, surv, where="post", color=color, label=arm.arm, linewidth=1.6)
            low, high = km.get("ci_low") or [], km.get("ci_high") or []
            if len(low) == len(km["times"]) and all(v is not None for v in (*low, *high)):
                ax.fill_between(
                    times, [1.0, *low], [1.0, *high], step="post", color=color, alpha=0.15
                )
        ax.set_ylim(0, 1.02)
        ax.set_xlabel(msg.text("chart.axis.turn"))
        ax.set_ylabel(msg.text("chart.axis.survival"))
        _percent_axis(ax, "y")
        ax.legend(frameon=False, fontsize=8)
        return _svg(fig, "km")


def all_charts(report, msg) -> dict[str, str]:
    return {
        "push_rate": push_rate_chart(report, msg),
        "domain": domain_chart(report, msg),
        "techniques": technique_chart(report, msg),
        "km": km_chart(report, msg),
    }
