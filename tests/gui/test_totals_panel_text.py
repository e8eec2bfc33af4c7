"""The totals panel says what its 残額 and 執行率 are computed from, in the sheet's own stage names."""

from __future__ import annotations

from dataclasses import replace

from desktop_app.domain import Stage
from desktop_app.domain.totals import totals_explanation
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.panels import ALLOCATION_LEGEND
from tests.factories import small_sheet


def test_the_panel_explains_remaining_and_rate(window: MainWindow) -> None:
    text = window.totals_panel.explanation.text()
    assert text == "残額＝配分額−当初予算の計。執行率＝決算額÷2月補正後（最後の予算段階）。"
    assert (
        ALLOCATION_LEGEND in window.totals_panel.chart.toolTip() and "赤い破線" in window.totals_panel.chart.toolTip()
    )


def test_the_explanation_follows_the_ward_s_stage_names() -> None:
    kita = replace(small_sheet(), stages=(Stage("予算額"), Stage("決算見込"), Stage("決算")))
    assert totals_explanation(kita) == "残額＝配分額−予算額の計。執行率＝決算÷決算見込（最後の予算段階）。"
    no_settlement = replace(small_sheet(), stages=(Stage("当初予算"),))
    assert totals_explanation(no_settlement) == "残額＝配分額−当初予算の計。"
