from textstats.tokens import sentences, words


def test_words_lowercases():
    assert words("Hello World") == ["hello", "world"]


def test_words_keeps_inner_apostrophe():
    assert words("don't stop") == ["don't", "stop"]


def test_words_strips_outer_apostrophes():
    assert words("'quoted'") == ["quoted"]


def test_words_drop_stopwords():
    assert words("the cat and the hat", drop_stopwords=True) == ["cat", "hat"]


def test_words_ignores_digits_and_punctuation():
    assert words("3 cats, 2 dogs!") == ["cats", "dogs"]


def test_sentences():
    assert sentences("One. Two! Three?") == ["One.", "Two!", "Three?"]


def test_sentences_empty():
    assert sentences("   ") == []
