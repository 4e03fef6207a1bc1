"""Server-rendered SVG charts: no dependency, no inline style (the CSP forbids it).

Colours come from CSS classes (`chart-<finding>` in defensor.css); `fill` presentation
attributes are set too, so the chart keeps its colours where the stylesheet does not reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FALLBACK_FILL = {
    "no_issue": "#2e7d32",
    "concern": "#f2a900",
    "violation": "#d9480f",
    "serious_violation": "#8b0000",
    "unable_to_assess": "#8a94a6",
}


@dataclass(frozen=True)
class Series:
    key: str
    label: str


@dataclass(frozen=True)
class Bar:
    label: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def stacked_bars(bars: Sequence[Bar], series: Sequence[Series], *, title: str, width: int = 640) -> SafeString:
    """A horizontal stacked bar per row; each segment is one series, with its count as a tooltip."""
    label_width, bar_height, gap, top = 170, 22, 10, 8
    legend_height = 28
    chart_width = width - label_width - 50
    height = top + len(bars) * (bar_height + gap) + legend_height + 10
    largest = max((bar.total for bar in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-title"><title id="chart-title">{escape(title)}</title>'
    ]
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        parts.append(
            f'<text class="chart-label" x="{label_width - 8}" y="{y + bar_height * 0.7:.1f}" '
            f'text-anchor="end" font-size="12">{escape(bar.label)}</text>'
        )
        x = float(label_width)
        for serie in series:
            count = bar.counts.get(serie.key, 0)
            if not count:
                continue
            w = chart_width * count / largest
            parts.append(
                f'<rect class="chart-{serie.key}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" '
                f'fill="{FALLBACK_FILL.get(serie.key, "#1d4f91")}"><title>{escape(bar.label)} · '
                f"{escape(serie.label)}: {count}</title></rect>"
            )
            x += w
        parts.append(
            f'<text class="chart-total" x="{x + 6:.1f}" y="{y + bar_height * 0.7:.1f}" font-size="12">'
            f"{bar.total}</text>"
        )
    legend_y = top + len(bars) * (bar_height + gap) + 6
    x = 0.0
    for serie in series:
        parts.append(
            f'<rect class="chart-{serie.key}" x="{x:.1f}" y="{legend_y}" width="12" height="12" '
            f'fill="{FALLBACK_FILL.get(serie.key, "#1d4f91")}"></rect>'
            f'<text class="chart-legend" x="{x + 16:.1f}" y="{legend_y + 10}" font-size="11">'
            f"{escape(serie.label)}</text>"
        )
        x += 18 + 7 * len(serie.label)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside was escaped above
