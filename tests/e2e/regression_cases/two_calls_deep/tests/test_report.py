from scoreboard.report import format_report


def test_empty_report():
    assert format_report({}) == ""


def test_report_shows_percentages():
    assert format_report({"passed": 3, "failed": 1}) == "failed: 25.0%, passed: 75.0%"
