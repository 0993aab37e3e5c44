"""The report's metric labels: the Chinese term beside the English words (ADR 0821).

A metric is shown as ``走访户数 households visited``, never as its identifier alone; the
identifier stays in the page (``data-metric``) so the JSON report and the page can be
read side by side. The Chinese terms are the glossary's. A metric the table does not
know (a station's own rule set) is shown by its identifier; a caller may pass its own
labels to :func:`~beatpolice.report.render_html`, which take precedence.
"""

from __future__ import annotations

from collections.abc import Mapping

from beatpolice.domain.rules.ruleset import FiveStarRules, ScorecardRules

__all__ = ["METRIC_LABELS", "metric_label"]

METRIC_LABELS: Mapping[str, str] = {
    "households_visited": "走访户数 households visited",
    "visits": "走访次数 visits",
    "people_match_rate": "人号一致率 people-match rate",
    "visit_plan_rate": "入户走访率 visit-plan rate",
    "satisfaction_rate": "群众满意率 residents satisfied",
    "disputes_mediated": "调解纠纷数 disputes mediated",
    "disputes_resolved": "调解成功数 disputes resolved",
    "disputes_satisfied": "双方满意数 both parties satisfied",
    "criminal_leads": "刑事案件线索 criminal-case leads",
    "suspects_apprehended": "抓获犯罪嫌疑人 suspects apprehended",
    "fugitives_caught": "抓获逃犯 fugitives caught",
    "information_leads": "信息线索 information leads",
    "leads": "线索总数 leads",
    "services": "服务群众次数 services to residents",
    "services_acknowledged": "群众认可服务 services acknowledged",
    "points": "积分 points",
}
"""Each metric of the shipped rule sets, in Chinese and English."""


def metric_label(
    key: str,
    *,
    rules: FiveStarRules | ScorecardRules | None = None,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The words a metric is shown with: the caller's, the table's, else its identifier.

    A scorecard's ``points.<category>`` takes the category's title from the rule set
    (``积分·人员管控 points · population_control``); ``points.<period>`` names the week or
    month (``积分 points · 2014-W02``).

    Args:
        key: the metric's identifier in the report (``households_visited``).
        rules: the report's rule set, for a scorecard's category titles.
        labels: the caller's own labels, consulted first.

    Returns:
        The label to print.
    """
    if labels is not None and key in labels:
        return labels[key]
    if key in METRIC_LABELS:
        return METRIC_LABELS[key]
    head, dot, tail = key.partition(".")
    if head == "points" and dot:
        if isinstance(rules, ScorecardRules):
            for category in rules.categories:
                if category.key == tail:
                    return f"积分·{category.title} points · {tail}"
        return f"积分 points · {tail}"
    return key
