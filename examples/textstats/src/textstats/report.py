"""A short human-readable summary of a text."""

from .stats import average_sentence_length, average_word_length, most_common
from .tokens import sentences, words


def summary(text: str, top: int = 3) -> dict[str, object]:
    return {
        "words": len(words(text)),
        "sentences": len(sentences(text)),
        "average_word_length": round(average_word_length(text), 2),
        "average_sentence_length": round(average_sentence_length(text), 2),
        "top_words": [word for word, _ in most_common(text, top)],
    }


def render(text: str, top: int = 3) -> str:
    data = summary(text, top)
    lines = [f"{key.replace('_', ' ')}: {value}" for key, value in data.items()]
    return "\n".join(lines)
