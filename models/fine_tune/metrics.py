"""Classification metrics on the validation split: accuracy, macro-F1, per-label scores, confusion matrix.

A few lines of arithmetic, written here rather than adding scikit-learn (tens of MB) for them; the tests
check them against hand-computed cases.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelScores:
    precision: float
    recall: float
    f1: float
    support: int  # rows with this true label


@dataclass(frozen=True)
class Evaluation:
    labels: list[str]
    accuracy: float
    macro_f1: float
    per_label: dict[str, LabelScores]
    confusion: list[list[int]]  # confusion[true][predicted], in the order of ``labels``
    rows: int


def evaluate(true: list[int], predicted: list[int], labels: list[str]) -> Evaluation:
    if len(true) != len(predicted) or not true:
        raise ValueError("need as many predictions as true labels, at least one")
    n = len(labels)
    confusion = [[0] * n for _ in range(n)]
    for t, p in zip(true, predicted):
        confusion[t][p] += 1
    per_label = {}
    for i, label in enumerate(labels):
        hits = confusion[i][i]
        predicted_i = sum(confusion[r][i] for r in range(n))
        support = sum(confusion[i])
        precision = hits / predicted_i if predicted_i else 0.0
        recall = hits / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = LabelScores(precision, recall, f1, support)
    present = [s.f1 for s in per_label.values() if s.support]  # labels absent from validation do not count
    accuracy = sum(confusion[i][i] for i in range(n)) / len(true)
    return Evaluation(labels, accuracy, sum(present) / len(present), per_label, confusion, len(true))
