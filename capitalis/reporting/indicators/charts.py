"""Server-side charts of the indicator pages: horizontal bar charts as inline SVG geometry (no
JavaScript, no build step). The template draws the shapes; each chart has a title, a text
description, and the numbers table beside it, so nothing is conveyed by the drawing alone. A
figure with no value (not significant, no data) gets no bar, only its label and a note."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

BAR_AREA = 250
VALUE_WIDTH = 90
ROW_HEIGHT = 44  # a label line above each bar, so long labels are never cut
LABEL_HEIGHT = 16
BAR_HEIGHT = 18
TOP = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    text: str  # what is written beside the bar ("92 %", "not significant")
    y: int
    width: int

    @property
    def label_y(self) -> int:
        return self.y + LABEL_HEIGHT - 4

    @property
    def bar_y(self) -> int:
        return self.y + LABEL_HEIGHT

    @property
    def text_y(self) -> int:
        return self.bar_y + BAR_HEIGHT - 4


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    description: str
    bars: list[Bar]
    height: int
    width: int = BAR_AREA + VALUE_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def value_x(self) -> int:
        return BAR_AREA + 6

    @property
    def grid(self) -> list[int]:
        """x positions of the 0, 50 and 100 % lines."""
        return [BAR_AREA * p // 100 for p in (0, 50, 100)]


def bar_chart(
    *,
    slug: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, Decimal | None, str]],
    maximum: Decimal | None = None,
) -> Chart | None:
    """A bar per item (label, value, text). Bars are scaled on ``maximum`` (100 for rates,
    the largest value for counts). None when there is nothing to draw."""
    if not items:
        return None
    top = maximum
    if top is None:
        known = [v for _label, v, _text in items if v is not None]
        top = max(known) if known else Decimal(1)
    top = top if top > 0 else Decimal(1)
    bars = []
    for i, (label, value, text) in enumerate(items):
        width = 0 if value is None else int(Decimal(BAR_AREA) * min(value, top) / top)
        bars.append(
            Bar(label=label[:45], value=value, text=text, y=TOP + i * ROW_HEIGHT, width=width)
        )
    return Chart(
        slug=slug,
        title=title,
        description=description,
        bars=bars,
        height=TOP * 2 + len(items) * ROW_HEIGHT,
    )
