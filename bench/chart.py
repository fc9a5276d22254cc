"""Horizontal bar charts as plain SVG, written by hand (no plotting library): one bar per
row, ours in one colour and the peers' in another, an optional goal line."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Optional

OURS = "#2a7d4f"
PEER = "#8a8f98"
GOAL = "#c0392b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    ours: bool
    note: str = ""


def bars(title: str, unit: str, rows: list[Bar], *, goal: Optional[float] = None, goal_label: str = "") -> str:
    label_w, bar_w, row_h, top, right = 300, 420, 26, 44, 110
    height = top + row_h * len(rows) + 30
    width = label_w + bar_w + right
    peak = max([r.value for r in rows] + [goal or 0]) or 1.0
    scale = bar_w / peak
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(title)}</text>']
    for i, row in enumerate(rows):
        y = top + i * row_h
        w = max(1.0, row.value * scale)
        out.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(row.label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                   f'fill="{OURS if row.ours else PEER}"/>')
        text = f"{row.value:,.1f} {unit}" + (f" {row.note}" if row.note else "")
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{escape(text)}</text>')
    if goal is not None:
        x = label_w + goal * scale
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 24}" stroke="{GOAL}" '
                   f'stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{GOAL}">'
                   f'{escape(goal_label)}</text>')
    out.append(f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" fill="#555">'
               f'<tspan fill="{OURS}">■</tspan> paykka-embed  <tspan fill="{PEER}">■</tspan> peers</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
