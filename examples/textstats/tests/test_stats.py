import pytest

from textstats.stats import average_sentence_length, average_word_length, counts


def test_counts_drops_stopwords():
    assert counts("the cat and the cat") == {"cat": 2}


def test_counts_keeps_stopwords_when_asked():
    assert counts("the cat", drop_stopwords=False) == {"the": 1, "cat": 1}


def test_average_word_length():
    assert average_word_length("ab abcd") == 3.0


def test_average_word_length_empty():
    assert average_word_length("") == 0.0


def test_average_sentence_length():
    assert average_sentence_length("One two. Three four five six.") == 3.0


def test_most_common_rejects_negative():
    from textstats.stats import most_common

    with pytest.raises(ValueError):
        most_common("a b", -1)
