"""Grades for a course: parse CSV rows, aggregate per student, curve, rank and report."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field


@dataclass
class Student:
    name: str
    scores: list[float] = field(default_factory=list)
    late: int = 0

    def average(self) -> float:
        if not self.scores:
            return 0.0
        return sum(self.scores) / len(self.scores)

    def best(self, count: int) -> list[float]:
        return sorted(self.scores, reverse=True)[:count]


def parse_rows(text: str) -> dict[str, Student]:
    """`name,score[,late]` lines; blank lines and `#` comments are skipped."""
    students: dict[str, Student] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 2:
            raise ValueError(f"line {number}: expected name,score")
        student = students.setdefault(parts[0], Student(parts[0]))
        student.scores.append(float(parts[1]))
        if len(parts) > 2 and parts[2] == "late":
            student.late += 1
    return students


def final_score(student: Student, drop_lowest: int = 1, late_penalty: float = 2.0) -> float:
    """Average of the best scores after dropping the lowest ones, minus late penalties."""
    kept = student.best(max(1, len(student.scores) - drop_lowest))
    if not kept:
        return 0.0
    score = sum(kept) / len(kept) - late_penalty * student.late
    return max(score, 0.0)


def letter(score: float) -> str:
    for threshold, grade in ((90, "A"), (80, "B"), (70, "C"), (60, "D")):
        if score >= threshold:
            return grade
    return "F"


def curve(scores: dict[str, float], target_mean: float) -> dict[str, float]:
    """Shift everyone so that the mean becomes `target_mean`, capped at 100."""
    if not scores:
        return {}
    shift = target_mean - statistics.mean(scores.values())
    return {name: min(100.0, value + shift) for name, value in scores.items()}


def ranking(scores: dict[str, float]) -> list[tuple[int, str]]:
    """Competition ranking (1, 2, 2, 4), best first, ties in name order."""
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    ranks: list[tuple[int, str]] = []
    for position, (name, value) in enumerate(ordered, start=1):
        if ranks and scores[ranks[-1][1]] == value:
            ranks.append((ranks[-1][0], name))
        else:
            ranks.append((position, name))
    return ranks


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def report(students: dict[str, Student]) -> list[str]:
    finals = {name: final_score(s) for name, s in students.items()}
    lines = []
    for rank, name in ranking(finals):
        lines.append(f"{rank}. {name} {finals[name]:.1f} {letter(finals[name])}")
    return lines
