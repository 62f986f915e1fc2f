"""Geometry of the timeline drawing: where each phase band, row and marker goes, in the
SVG's viewBox units. The template only draws; the numbers are decided here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ctgraph.views.timeline import Timeline

SVG_WIDTH = 1000
SVG_LEFT = 150
SVG_RIGHT = 24
LANE_HEIGHT = 34
AXIS_HEIGHT = 34
PHASE_ROW_HEIGHT = 26


def svg_layout(timeline: Timeline) -> dict[str, Any]:
    """Pixel geometry of the timeline drawing (viewBox units) for the template."""
    span = SVG_WIDTH - SVG_LEFT - SVG_RIGHT

    def px(fraction: float) -> float:
        return round(SVG_LEFT + fraction * span, 1)

    y = AXIS_HEIGHT
    phases = []
    for phase in timeline.phases:
        if phase.start is None:
            continue
        if phase.end is not None:
            end, open_end = timeline.x(phase.end.last + dt.timedelta(days=1)), False
        else:
            own = [i.x_end for i in timeline.dated if i.phase is phase]
            end, open_end = max([timeline.x(phase.start.last), *own]), True
        x0 = px(timeline.x(phase.start.first))
        phases.append({"phase": phase, "x": x0, "width": max(px(end) - x0, 6), "y": y,
                       "open": open_end})
        y += PHASE_ROW_HEIGHT
    rows = []
    for row in timeline.rows:
        height = row.lanes * LANE_HEIGHT + 8
        rows.append({"row": row, "y": y, "height": height, "markers": [
            {"item": item, "x": px(item.x), "x_end": px(item.x_end),
             "cy": y + 22 + item.lane * LANE_HEIGHT}
            for item in row.items
        ]})
        y += height
    ticks = [{"year": year, "x": px(timeline.x(dt.date(year, 1, 1)))}
             for year in timeline.years]
    return {"width": SVG_WIDTH, "height": y + 4, "left": SVG_LEFT, "right": SVG_WIDTH - SVG_RIGHT,
            "phases": phases, "rows": rows, "ticks": ticks,
            "tick_width": round(span / len(timeline.years), 1)}
