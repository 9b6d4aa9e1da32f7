"""The report's chart: each post's metrics over time, and the findings by label.

One PNG for a Learning Pattern or a Markdown report: a panel per metric that was recorded
(likes, reposts, …), with a line per post on a shared date axis and a ringed point where a
major reaction was noted, and a panel of horizontal bars for the findings by label, in every
checked version and in the final ones. It needs matplotlib (`pip install -e ".[chart]"`),
imported only when a chart is asked for, with the non-interactive Agg backend so it works on
a server without a display.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from chatbot.policy.model import LABELS
from chatbot.workflow.metrics import METRIC_NAMES
from chatbot.workflow.report import Report, ReportError


def write_chart(report: Report, path: str | Path) -> Path:
    """Draw the chart of `report` into the PNG file `path`; ReportError says what is missing."""
    plt = _pyplot()
    from matplotlib import dates as mdates
    from matplotlib.ticker import MaxNLocator

    metrics = [name for name in METRIC_NAMES
               if any(name in m.numbers for facts in report.posts for m in facts.metrics)]
    metric_rows = -(-len(metrics) // 2)
    fig = plt.figure(figsize=(12.8, 3.6 * metric_rows + 0.6 * _label_count(report) + 2.4))
    grid = fig.add_gridspec(metric_rows + 1, 2, height_ratios=[3.6] * metric_rows
                            + [0.6 * _label_count(report) + 1.6])
    span = _time_span(report)
    for i, name in enumerate(metrics):
        ax = fig.add_subplot(grid[i // 2, i % 2])
        _metric_panel(ax, report, name, mdates, MaxNLocator)
        if span:
            ax.set_xlim(*span)
    _findings_panel(fig.add_subplot(grid[metric_rows, :]), report, MaxNLocator)
    fig.suptitle(f"checkpost: posts {_period(report)}", fontsize=14)
    fig.tight_layout()
    target = Path(path)
    try:
        fig.savefig(target, format="png", dpi=120)
    except OSError as exc:
        raise ReportError(f"cannot write the chart to {target}: {exc}") from None
    finally:
        plt.close(fig)
    return target


def _metric_panel(ax, report: Report, name: str, mdates, locator) -> None:
    for facts in report.posts:
        points = [(m.at, m.numbers[name], m.major) for m in facts.metrics if name in m.numbers]
        if not points:
            continue
        when = [datetime.fromtimestamp(at, UTC) for at, _, _ in points]
        values = [value for _, value, _ in points]
        networks = sorted({link.network for link in facts.post.links})
        label = f"Post {facts.post.number}" + (f" ({', '.join(networks)})" if networks else "")
        (line,) = ax.plot(when, values, marker="o", linewidth=2, label=label)
        major = [(at, value) for at, (_, value, is_major) in zip(when, points, strict=True)
                 if is_major]
        if major:
            ax.scatter(*zip(*major, strict=True), s=160, facecolors="none",
                       edgecolors=line.get_color(), linewidths=2, zorder=3)
    ax.set_title(f"{name.capitalize()} over time (ringed: a major reaction)", fontsize=11)
    ax.set_ylabel(name)
    ax.yaxis.set_major_locator(locator(integer=True))
    ax.set_ylim(bottom=0)
    # Concise labels: days over weeks, hours within a day or two (a fixed "%d %b" repeated the
    # same day under every tick of a short period)
    locator_ = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator_)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator_))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9, loc="best")


def _findings_panel(ax, report: Report, locator) -> None:
    t = report.totals
    extra = sorted(set(t.findings_all_versions) - set(LABELS))
    labels = [label for label in (*LABELS, *extra) if t.findings_all_versions.get(label)]
    if not labels:
        ax.text(0.5, 0.5, "No findings in this period", ha="center", va="center", fontsize=12)
        ax.set_axis_off()
        return
    rows = list(range(len(labels)))
    every = [t.findings_all_versions.get(label, 0) for label in labels]
    final = [t.findings_final.get(label, 0) for label in labels]
    bars = ax.barh([r - 0.2 for r in rows], every, height=0.4, label="every checked version")
    ax.bar_label(bars, padding=3)
    bars = ax.barh([r + 0.2 for r in rows], final, height=0.4, label="final versions")
    ax.bar_label(bars, padding=3)
    ax.set_yticks(rows, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(locator(integer=True))
    ax.set_xlabel("findings")
    ax.set_title("Findings by label", fontsize=11)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(fontsize=9, loc="lower right")


def _label_count(report: Report) -> int:
    return max(1, sum(1 for n in report.totals.findings_all_versions.values() if n))


def _time_span(report: Report) -> tuple[datetime, datetime] | None:
    """The metrics' first and last day, padded, so every panel has the same time axis."""
    times = [m.at for facts in report.posts for m in facts.metrics]
    if not times:
        return None
    pad = max((max(times) - min(times)) * 0.05, 3600)
    return (datetime.fromtimestamp(min(times) - pad, UTC),
            datetime.fromtimestamp(max(times) + pad, UTC))


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ReportError('--chart needs matplotlib: pip install -e ".[chart]" (or '
                          "pip install matplotlib)") from None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _period(report: Report) -> str:
    def day(at: float) -> str:
        return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d")

    if report.since is None and report.until is None:
        return "of all time"
    start = day(report.since) if report.since is not None else "the beginning"
    end = day(report.until - 1) if report.until is not None else "now"
    return f"from {start} to {end}"
