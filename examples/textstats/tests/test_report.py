from textstats.report import render, summary

TEXT = (
    "The quick fox jumps. The lazy dog sleeps. A quick dog barks at the fox. "
    "Fox and dog play."
)


def test_summary_counts_words():
    assert summary(TEXT)["words"] == 19


def test_summary_counts_sentences():
    assert summary(TEXT)["sentences"] == 4


def test_summary_top_words():
    assert summary(TEXT)["top_words"] == ["dog", "fox", "quick"]


def test_summary_top_one():
    assert summary(TEXT, top=1)["top_words"] == ["dog"]


def test_summary_of_empty_text():
    assert summary("")["top_words"] == []


def test_render_mentions_top_words():
    assert "top words: ['dog', 'fox', 'quick']" in render(TEXT)
