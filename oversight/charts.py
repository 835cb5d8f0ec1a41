"""Server-rendered SVG charts for the staff dashboard: no CDN, no JavaScript.

Each function returns a SafeString holding one <svg>; every text in it is
escaped here, so callers may pass names straight from the database.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe


# Bar labels longer than this are cut (the full name is in the bar's tooltip).
LABEL_CHARS = 18


def _percent(value):
    return f"{value * 100:.0f}%"


def line_chart(points, *, title, width=640, height=220, value_format=_percent, y_max=1.0):
    """A line over [(label, value or None)]; None leaves a gap (a day without ratings)."""
    left, right, top, bottom = 44, 12, 14, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(points), 1)
    step = plot_w / max(count - 1, 1)

    def x(i):
        return left + i * step

    def y(value):
        return top + plot_h - (value / y_max) * plot_h if y_max else top + plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>'
    ]
    for fraction in (0, 0.5, 1):
        gy = y(fraction * y_max)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{gy:.1f}" y2="{gy:.1f}" class="grid" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
            f"{escape(value_format(fraction * y_max))}</text>"
        )
    segments, current = [], []
    for i, (_label, value) in enumerate(points):
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append((x(i), y(value)))
    if current:
        segments.append(current)
    for segment in segments:
        path = " ".join(f"{'M' if n == 0 else 'L'}{px:.1f},{py:.1f}" for n, (px, py) in enumerate(segment))
        parts.append(f'<path d="{path}" fill="none" stroke="#c0392b" stroke-width="2"/>')
        for px, py in segment:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="#c0392b"/>')
    for i, (label, value) in enumerate(points):
        shown = "–" if value is None else value_format(value)
        parts.append(
            f'<rect x="{x(i) - step / 2:.1f}" y="{top}" width="{max(step, 1):.1f}" height="{plot_h}" '
            f'fill="transparent"><title>{escape(label)}: {escape(shown)}</title></rect>'
        )
    # Label the first, middle and last points only: readable at 31 days.
    last = len(points) - 1
    for i in sorted({0, last // 2, last}):
        if 0 <= i <= last:
            # The outer labels hang inwards so they are never cut at the edge.
            anchor = "start" if i == 0 else "end" if i == last else "middle"
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 8}" text-anchor="{anchor}" font-size="11" fill="#555">'
                f"{escape(points[i][0])}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(bars, *, title, width=640, bar_height=22, value_format=str):
    """Horizontal bars for [(label, value)], longest scaled to the full width."""
    label_w, gap, right = 150, 6, 60
    height = max(len(bars), 1) * (bar_height + gap) + gap
    largest = max((value for _label, value in bars), default=0) or 1
    plot_w = width - label_w - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(bars):
        top = gap + i * (bar_height + gap)
        length = plot_w * value / largest
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{top + bar_height * 0.7:.1f}" text-anchor="end" font-size="12" '
            f'fill="#333">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{top}" width="{length:.1f}" height="{bar_height}" fill="#2e86c1">'
            f"<title>{escape(label)}: {escape(value_format(value))}</title></rect>"
            f'<text x="{label_w + length + 6:.1f}" y="{top + bar_height * 0.7:.1f}" font-size="12" '
            f'fill="#333">{escape(value_format(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
