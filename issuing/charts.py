"""Geometry of the simple bar charts drawn as inline SVG by the templates.

Computed on the server so the page needs no script (the CSP allows none inline) and no
charting library; the numbers are always also in a table next to the chart.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    label_x: float


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    label_y: int
    bars: list[Bar]
    ticks: list[Tick]


def _nice_step(maximum: int, wanted_ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10ⁿ) giving about `wanted_ticks` grid lines up to `maximum`."""
    if maximum <= wanted_ticks:
        return 1
    rough = maximum / wanted_ticks
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= rough:
            return int(factor * magnitude)
    return int(10 * magnitude)


def bar_chart(
    labels: list[str], values: list[int], *, width: int = 720, height: int = 260
) -> BarChart:
    """Vertical bars, one per label, on a y axis starting at zero with round grid lines."""
    left, right, top, bottom = 48, width - 8, 12, height - 36
    step = _nice_step(max(values, default=0))
    scale_max = max(step, math.ceil(max(values, default=0) / step) * step)
    slot = (right - left) / max(len(values), 1)
    bar_width = slot * 0.7
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        bar_height = (bottom - top) * value / scale_max
        x = left + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(bottom - bar_height, 1),
                width=round(bar_width, 1),
                height=round(bar_height, 1),
                label=label,
                value=value,
                label_x=round(x + bar_width / 2, 1),
            )
        )
    ticks = [
        Tick(y=round(bottom - (bottom - top) * value / scale_max, 1), value=value)
        for value in range(0, scale_max + 1, step)
    ]
    return BarChart(
        width=width,
        height=height,
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
        label_y=bottom + 20,
        bars=bars,
        ticks=ticks,
    )
