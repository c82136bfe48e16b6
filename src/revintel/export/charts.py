"""Chart specs drawn as vector graphics (ReportLab) and as native, editable PowerPoint charts."""

from __future__ import annotations

from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from revintel import format as fmt_mod
from revintel.export.document import ChartSpec

PALETTE = ["#1f4e79", "#e07b39", "#6a9f58", "#9e4a9c", "#c44e52", "#7f7f7f"]


def _values(spec: ChartSpec) -> list[list[float]]:
    return [[float(v) if v is not None else 0.0 for v in s.values] for s in spec.series]


def _axis_label(spec: ChartSpec):  # type: ignore[no-untyped-def]
    def fmt(v: float) -> str:
        return fmt_mod.axis_label(v, spec.unit)

    return fmt


def reportlab_drawing(spec: ChartSpec, width: float = 460, height: float = 200) -> Drawing:
    """A ReportLab :class:`Drawing` (vector) for the spec."""
    d = Drawing(width, height)
    d.add(String(0, height - 12, spec.title, fontName="Helvetica-Bold", fontSize=10))
    data = _values(spec)
    plot_h = height - 50
    if spec.kind == "line":
        chart: Any = HorizontalLineChart()
    elif spec.kind == "bar":
        chart = HorizontalBarChart()
    else:  # column and range
        chart = VerticalBarChart()
    left = 110 if spec.kind == "bar" else 60  # horizontal bars: room for the category names
    chart.x, chart.y = left, 28
    chart.width, chart.height = width - left - 20 - (90 if len(data) > 1 else 0), plot_h
    chart.data = data
    chart.categoryAxis.categoryNames = [c[:22] if spec.kind == "bar" else c[:14] for c in spec.categories]
    if spec.kind == "bar":  # names right-aligned left of the axis, never over the bars
        chart.categoryAxis.labels.boxAnchor, chart.categoryAxis.labels.dx = "e", -4
    chart.categoryAxis.labels.fontSize = 7
    if spec.kind != "bar":
        chart.categoryAxis.labels.angle = 30 if len(spec.categories) > 6 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(spec.categories) > 6 else "n"
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = _axis_label(spec)
    known = [v for s in spec.series for v in s.values if v is not None]
    span = fmt_mod.axis_range(known, from_zero=None if spec.kind == "line" else True)
    if span:  # a line far from zero gets a range around its data; bars always start at zero
        chart.valueAxis.valueMin, chart.valueAxis.valueMax = span
    for i in range(len(data)):
        color = colors.HexColor(PALETTE[i % len(PALETTE)])
        if spec.kind == "line":
            chart.lines[i].strokeColor = color
            chart.lines[i].strokeWidth = 2
        else:
            chart.bars[i].fillColor = color
            chart.bars[i].strokeColor = None
    d.add(chart)
    if len(data) > 1:
        legend = Legend()
        legend.x, legend.y = width - 85, height - 30
        legend.fontSize = 7
        legend.colorNamePairs = [
            (colors.HexColor(PALETTE[i % len(PALETTE)]), s.name[:18]) for i, s in enumerate(spec.series)
        ]
        d.add(legend)
    return d


def add_pptx_chart(slide: Any, spec: ChartSpec, x: int, y: int, cx: int, cy: int) -> Any:
    """Add a native (editable) chart for the spec to a python-pptx slide; returns the chart."""
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION

    data = CategoryChartData()
    data.categories = list(spec.categories)
    for s in spec.series:
        data.add_series(s.name, [v if v is not None else None for v in s.values])
    kind = {
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "bar": XL_CHART_TYPE.BAR_CLUSTERED,
        "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "range": XL_CHART_TYPE.COLUMN_CLUSTERED,
    }.get(spec.kind, XL_CHART_TYPE.COLUMN_CLUSTERED)
    chart = slide.shapes.add_chart(kind, x, y, cx, cy, data).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = spec.title
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    chart.value_axis.tick_labels.number_format = fmt_mod.office_number_format(spec.unit)
    chart.value_axis.tick_labels.number_format_is_linked = False
    known = [v for s in spec.series for v in s.values if v is not None]
    span = fmt_mod.axis_range(known, from_zero=None if spec.kind == "line" else True)
    if span and spec.kind == "line":
        chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = span
    for i, plot_series in enumerate(chart.plots[0].series):
        color = RGBColor.from_string(PALETTE[i % len(PALETTE)].lstrip("#"))
        if spec.kind == "line":
            plot_series.format.line.color.rgb = color
        else:
            plot_series.format.fill.solid()
            plot_series.format.fill.fore_color.rgb = color
    return chart
