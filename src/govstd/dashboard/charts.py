"""SVG charts, rendered in Python: a page shows them with no script, no font download and no network.

Small on purpose — a line chart of scores over time and a horizontal bar chart — drawn on a fixed 0–100
scale (scores are percentages), with a ``<title>`` on every mark so a pointer shows the exact value, and
``role="img"`` plus an ``aria-label`` so a screen reader says what the chart is.

>>> svg = line_chart("得分", ["2026-01", "2026-02"], {"510100": [71.5, 80.0]})
>>> svg.count('class="gs-point"'), "71.5" in svg
(2, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

#: Colour-blind-safe categorical palette (Okabe & Ito, 2008).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
_W, _H, _LEFT, _RIGHT, _TOP, _BOTTOM = 640, 260, 44, 16, 16, 56


def _y(value: float) -> float:
    return _TOP + (100 - max(0.0, min(100.0, value))) / 100 * (_H - _TOP - _BOTTOM)


def _frame(title: str, width: int, height: int, body: list[str]) -> str:
    head = (f'<svg class="gs-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px" role="img" aria-label="{escape(title)}">'
            f"<title>{escape(title)}</title>")
    return head + "".join(body) + "</svg>"


def _grid() -> list[str]:
    out = []
    for tick in (0, 25, 50, 75, 100):
        y = _y(tick)
        out.append(f'<line x1="{_LEFT}" x2="{_W - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{tick}</text>')
    return out


def line_chart(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> str:
    """Scores (0–100) at ``labels`` along x, one line per series; ``None`` is a gap (not measured)."""
    step = (_W - _LEFT - _RIGHT) / max(len(labels), 1)
    x = [_LEFT + step * (i + 0.5) for i in range(len(labels))]
    body = _grid()
    for i, label in enumerate(labels):
        body.append(f'<text x="{x[i]:.1f}" y="{_H - _BOTTOM + 16}" font-size="11" text-anchor="middle" '
                    f'fill="#555">{escape(label)}</text>')
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        segments: list[list[str]] = [[]]
        for i, value in enumerate(values[:len(labels)]):
            if value is None:
                segments.append([])
                continue
            segments[-1].append(f"{x[i]:.1f},{_y(value):.1f}")
            body.append(f'<circle class="gs-point" cx="{x[i]:.1f}" cy="{_y(value):.1f}" r="4" fill="{colour}">'
                        f"<title>{escape(name)} · {escape(labels[i])}: {value:g}</title></circle>")
        body.extend(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(s)}"/>'
                    for s in segments if len(s) > 1)
        body.append(f'<rect x="{_LEFT + 130 * n}" y="{_H - 22}" width="10" height="10" fill="{colour}"/>'
                    f'<text x="{_LEFT + 130 * n + 14}" y="{_H - 13}" font-size="11" fill="#333">{escape(name)}</text>')
    return _frame(title, _W, _H, body)


def bar_chart(title: str, bars: Sequence[tuple[str, float | None]]) -> str:
    """Horizontal bars (0–100), one per label, top to bottom in the order given; ``None``: no bar."""
    row, left, width = 26, 110, 640
    height = row * len(bars) + 24
    scale = (width - left - 60) / 100
    body = []
    for i, (label, value) in enumerate(bars):
        y = 8 + i * row
        body.append(f'<text x="{left - 8}" y="{y + 15}" font-size="12" text-anchor="end" fill="#333">'
                    f"{escape(label)}</text>")
        if value is None:
            body.append(f'<text x="{left + 4}" y="{y + 15}" font-size="12" fill="#888">—</text>')
            continue
        colour = PALETTE[0] if value >= 80 else PALETTE[4] if value >= 60 else PALETTE[1]
        body.append(f'<rect class="gs-bar" x="{left}" y="{y}" width="{value * scale:.1f}" height="{row - 8}" '
                    f'fill="{colour}"><title>{escape(label)}: {value:g}</title></rect>'
                    f'<text x="{left + value * scale + 6:.1f}" y="{y + 15}" font-size="12" fill="#333">'
                    f"{value:g}</text>")
    return _frame(title, width, height, body)
