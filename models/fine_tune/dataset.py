"""Training data for fine-tuning: read a CSV/TSV upload, pick the text and label columns, clean, split.

Pure Python (the ``csv`` module), no torch: the tab checks a file before any model loads. Every problem a
user can cause raises ``DatasetError`` with what is wrong and what is allowed; rows that cannot be used
(empty, duplicated, contradicting an earlier row) are dropped and counted, never silently.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from models.runtime.errors import InputError


class DatasetError(InputError):
    """The training data cannot be used as given."""


@dataclass(frozen=True)
class DatasetLimits:
    """Limits on training data (the app's come from ``models.settings``: DEMO_FINETUNE_MAX_MB and _ROWS)."""

    max_mb: int = 10
    max_rows: int = 20_000
    max_labels: int = 50
    max_columns: int = 50
    max_cells: int = 500_000  # rows x columns, counted from the separators before the file is parsed
    max_name_chars: int = 100  # a column name (a longer first row is text, not a header)
    min_rows: int = 10
    max_text_chars: int = 2_000  # longer texts are cut (the model reads ~128 tokens of each anyway)


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class LabeledData:
    texts: list[str]
    labels: list[str]
    rows_read: int = 0
    dropped_empty: int = 0       # no text or no label
    dropped_duplicates: int = 0  # the same text and label as an earlier row
    dropped_conflicts: int = 0   # the same text as an earlier row, with another label
    cut_long: int = 0            # texts cut to the length limit

    @property
    def label_names(self) -> list[str]:
        """The labels, sorted (the model's label ids follow this order)."""
        return sorted(set(self.labels))

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.labels).items()))

    def report(self) -> str:
        """One line on what was used and what was dropped, for the status line."""
        parts = [f"{len(self.texts):,} rows used of {self.rows_read:,}"]
        for count, what in ((self.dropped_empty, "empty (no text or no label)"),
                            (self.dropped_duplicates, "duplicates"),
                            (self.dropped_conflicts, "repeated texts with another label"),
                            (self.cut_long, "texts cut to the length limit")):
            if count:
                parts.append(f"{count:,} {what}{'' if 'cut' in what else ' dropped'}")
        return "; ".join(parts)


# --- reading a file ------------------------------------------------------------------------------------

def read_table(path: str | Path, limits: DatasetLimits) -> Table:
    """The header and rows of a CSV or TSV file (UTF-8), or a DatasetError saying why not."""
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_mb * 1024 * 1024:
        raise DatasetError(f"The file is {size / 1024 / 1024:.1f} MB; the limit for training data is "
                           f"{limits.max_mb} MB. Upload fewer rows")
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise DatasetError("The file is binary, not text. Upload a CSV or TSV file saved as UTF-8 text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"The file is not UTF-8 text (byte {exc.start:,} cannot be read). Save it as UTF-8 "
                           "(in Excel: 'CSV UTF-8'; in LibreOffice: character set 'Unicode (UTF-8)')") from None
    if not text.strip():
        raise DatasetError("The file is empty. Upload a CSV or TSV with a header row and one example per row")
    delimiter = _delimiter(path.name, text)
    _check_shape(text, delimiter, limits)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        header = _checked_header(next(reader), limits)
        rows = []
        for row in reader:
            if len(rows) >= limits.max_rows:
                raise DatasetError(f"The file has more than {limits.max_rows:,} rows, the limit for training "
                                   "data. Upload fewer rows")
            if len(row) > limits.max_columns:
                raise DatasetError(f"Line {reader.line_num:,} has {len(row):,} cells; the limit is "
                                   f"{limits.max_columns} columns. Keep the text and label columns")
            rows.append(row)
    except csv.Error as exc:
        raise DatasetError(f"The file is not valid {'TSV' if delimiter == chr(9) else 'CSV'} "
                           f"(line {reader.line_num:,}: {str(exc)[:120]}). Check its quoting") from None
    return Table(_column_names(header), rows)


def _check_shape(text: str, delimiter: str, limits: DatasetLimits) -> None:
    """Refuse, before parsing, a file with more cells or a first line with more columns than allowed (counted
    from the separators, an upper bound: a separator inside quotes counts too)."""
    separators = text.count(delimiter)
    if separators > limits.max_cells:
        raise DatasetError(f"The file has {separators:,} separators ({_delimiter_name(delimiter)}), more than the "
                           f"{limits.max_cells:,} cells allowed. Keep only the text and label columns")
    first_line = text[:text.find("\n")] if "\n" in text else text
    if first_line.count(delimiter) >= limits.max_columns and '"' not in first_line:
        raise DatasetError(f"The header row has {first_line.count(delimiter) + 1:,} columns; the limit is "
                           f"{limits.max_columns}. Keep only the text and label columns")


def _checked_header(header: list[str], limits: DatasetLimits) -> list[str]:
    if len(header) > limits.max_columns:
        raise DatasetError(f"The header row has {len(header):,} columns; the limit is {limits.max_columns}. "
                           "Keep only the text and label columns")
    for i, cell in enumerate(header, 1):
        if len(cell.strip()) > limits.max_name_chars:
            raise DatasetError(f"Column {i}'s name is {len(cell.strip()):,} characters long; the limit is "
                               f"{limits.max_name_chars}. The first row must be a header of column names "
                               "(e.g. text,label)")
    return header


def _delimiter_name(delimiter: str) -> str:
    return {",": "commas", "\t": "tabs", ";": "semicolons"}.get(delimiter, repr(delimiter))


def _delimiter(name: str, text: str) -> str:
    if name.lower().endswith(".tsv"):
        return "\t"
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",\t;").delimiter
    except csv.Error:
        return ","


def _column_names(header: list[str]) -> list[str]:
    """The header's names, blanks named by position and repeats numbered ("x", "x (2)", "x (3)"): linear in
    the number of columns (a set and a counter per name, not a search of the list per column)."""
    taken = {cell.strip() for cell in header}
    names: list[str] = []
    used: set[str] = set()
    counters: dict[str, int] = {}
    for i, cell in enumerate(header):
        base = cell.strip() or f"column {i + 1}"
        name = base
        if name in used:
            n = counters.get(base, 1)
            while name in used or name in taken:
                n += 1
                name = f"{base} ({n})"
            counters[base] = n
        used.add(name)
        names.append(name)
    return names


def guess_columns(columns: list[str]) -> tuple[str | None, str | None]:
    """The likeliest text and label columns by name (else the first two columns)."""
    lowered = {c.lower(): c for c in columns}
    text = next((lowered[n] for n in ("text", "sentence", "review", "content", "comment", "document", "query")
                 if n in lowered), None)
    label = next((lowered[n] for n in ("label", "labels", "category", "class", "sentiment", "topic", "intent",
                                       "target") if n in lowered), None)
    rest = [c for c in columns if c not in (text, label)]
    text = text or (rest.pop(0) if rest else None)
    label = label or (rest.pop(0) if rest else None)
    return text, label


# --- choosing columns and cleaning ---------------------------------------------------------------------

def labeled_rows(table: Table, text_column: str, label_column: str, limits: DatasetLimits) -> LabeledData:
    """The (text, label) pairs of two columns, cleaned, or a DatasetError."""
    shown = ", ".join(repr(c) for c in table.columns[:30])
    for role, column in (("text", text_column), ("label", label_column)):
        if column not in table.columns:
            raise DatasetError(f"The file has no column {str(column)[:60]!r} for the {role}. Its columns: {shown}")
    if text_column == label_column:
        raise DatasetError("The text and label columns must be two different columns")
    t, l = table.columns.index(text_column), table.columns.index(label_column)
    pairs = [(row[t] if t < len(row) else "", row[l] if l < len(row) else "") for row in table.rows]
    return clean(pairs, limits)


def clean(pairs: list[tuple[str, str]], limits: DatasetLimits) -> LabeledData:
    texts, labels, seen = [], [], {}
    empty = duplicates = conflicts = cut = 0
    for text, label in pairs:
        text, label = " ".join(text.split()), label.strip()
        if not text or not label:
            empty += 1
            continue
        if len(label) > limits.max_name_chars:
            raise DatasetError(f"Row {len(texts) + empty + duplicates + conflicts + 1:,} has a label of "
                               f"{len(label):,} characters; labels are names of at most {limits.max_name_chars} "
                               "characters. Is it the right column?")
        if len(text) > limits.max_text_chars:
            text, cut = text[: limits.max_text_chars], cut + 1
        if text in seen:
            if seen[text] == label:
                duplicates += 1
            else:
                conflicts += 1
            continue
        seen[text] = label
        texts.append(text)
        labels.append(label)
    data = LabeledData(texts, labels, len(pairs), empty, duplicates, conflicts, cut)
    check_trainable(data, limits)
    return data


def check_trainable(data: LabeledData, limits: DatasetLimits) -> None:
    dropped = f" ({data.report()})" if len(data.texts) < data.rows_read else ""
    if len(data.texts) < limits.min_rows:
        raise DatasetError(f"Only {len(data.texts)} usable rows{dropped}; fine-tuning needs at least "
                           f"{limits.min_rows} rows with a text and a label")
    counts = data.counts()
    if len(counts) < 2:
        raise DatasetError(f"Every row has the label {_short(next(iter(counts)))!r}; a classifier needs at least two "
                           f"different labels{dropped}")
    if len(counts) > limits.max_labels:
        raise DatasetError(f"The label column has {len(counts):,} different values; the limit is "
                           f"{limits.max_labels}. Is it the right column?")
    rare = [label for label, n in counts.items() if n < 2]
    if rare:
        named = ", ".join(repr(_short(label)) for label in rare[:10])
        raise DatasetError(f"{len(rare)} label(s) have a single row ({named}); each "
                           "label needs at least two rows, one to train on and one to check against")


# --- splitting -----------------------------------------------------------------------------------------

def split(data: LabeledData, validation_share: float, seed: int = 0) -> tuple[LabeledData, LabeledData]:
    """A stratified train/validation split: each label keeps its share in both parts (at least one row
    of each label on each side). Deterministic for a given seed."""
    rng = random.Random(seed)
    train, val = [], []
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(data.labels):
        by_label.setdefault(label, []).append(i)
    for indexes in by_label.values():
        rng.shuffle(indexes)
        n_val = min(len(indexes) - 1, max(1, round(len(indexes) * validation_share)))
        val += indexes[:n_val]
        train += indexes[n_val:]
    rng.shuffle(train)
    val.sort()

    def part(ix: list[int]) -> LabeledData:
        return LabeledData([data.texts[i] for i in ix], [data.labels[i] for i in ix], len(ix))

    return part(train), part(val)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
