"""Fine-tuning data: reading CSV/TSV uploads, choosing columns, cleaning (counted), splitting, metrics, sample set."""

import pytest

from models.fine_tune.dataset import (DatasetError, DatasetLimits, clean, guess_columns, labeled_rows, read_table,
                                      split)
from models.fine_tune.metrics import evaluate
from models.fine_tune.sample import LABELS, sample_csv, sample_rows

LIMITS = DatasetLimits(max_mb=1, max_rows=1000)


def write(tmp_path, name, content, encoding="utf-8"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding=encoding)
    return path


def rows(n_per_label=6, labels=("a", "b")):
    return [(f"text {label} {i}", label) for i in range(n_per_label) for label in labels]


def test_csv_tsv_and_semicolons_are_read_with_quotes_and_a_bom(tmp_path):
    csv_file = write(tmp_path, "d.csv", '\ufefftext,label\n"Hello, world",greeting\n"two\nlines",other\n')
    table = read_table(csv_file, LIMITS)
    assert table.columns == ["text", "label"]  # the byte-order mark is gone
    assert table.rows == [["Hello, world", "greeting"], ["two\nlines", "other"]]
    tsv = read_table(write(tmp_path, "d.tsv", "id\tsentence\ttopic\n1\tA, b\tx\n"), LIMITS)
    assert tsv.columns == ["id", "sentence", "topic"] and tsv.rows == [["1", "A, b", "x"]]
    semi = read_table(write(tmp_path, "d.txt", "text;label\nfoo;bar\nbaz;qux\n"), LIMITS)
    assert semi.rows == [["foo", "bar"], ["baz", "qux"]]


def test_blank_and_repeated_header_names_get_names():
    from models.fine_tune.dataset import _column_names

    assert _column_names(["text", " ", "text"]) == ["text", "column 2", "text (2)"]


def test_guessing_the_text_and_label_columns():
    assert guess_columns(["id", "Review", "Sentiment"]) == ("Review", "Sentiment")
    assert guess_columns(["a", "b", "c"]) == ("a", "b")
    assert guess_columns(["only"]) == ("only", None)


@pytest.mark.parametrize("content, message", [
    ("caf\xe9,label\n".encode("latin-1") + b"x,y\n", "not UTF-8"),
    (b"\x00\x01\x02binary", "binary"),
    ("   \n", "empty"),
    ('text,label\n"unclosed,a\n', "not valid CSV"),
])
def test_unreadable_files_are_refused_with_the_reason(tmp_path, content, message):
    with pytest.raises(DatasetError, match=message):
        read_table(write(tmp_path, "bad.csv", content), LIMITS)


def test_size_and_row_limits(tmp_path):
    big = write(tmp_path, "big.csv", "text,label\n" + "x" * (1024 * 1024 + 10) + ",a\n")
    with pytest.raises(DatasetError, match=r"1\.0 MB; the limit .* is 1 MB"):
        read_table(big, LIMITS)
    many = write(tmp_path, "many.csv", "text,label\n" + "".join(f"t{i},a\n" for i in range(1001)))
    with pytest.raises(DatasetError, match="more than 1,000 rows"):
        read_table(many, LIMITS)


def test_missing_columns_are_named_with_the_columns_there(tmp_path):
    table = read_table(write(tmp_path, "d.csv", "sentence,topic\na,b\n"), LIMITS)
    with pytest.raises(DatasetError, match=r"no column 'text' for the text. Its columns: 'sentence', 'topic'"):
        labeled_rows(table, "text", "topic", LIMITS)
    with pytest.raises(DatasetError, match="two different columns"):
        labeled_rows(table, "topic", "topic", LIMITS)


def test_empty_duplicate_and_contradicting_rows_are_dropped_and_counted():
    pairs = rows() + [("", "a"), ("text only", ""), ("  ", " ")] + [("text a 0", "a")] * 2 + [("text b 1", "a")]
    data = clean(pairs, LIMITS)
    assert len(data.texts) == 12 and data.rows_read == 18
    assert (data.dropped_empty, data.dropped_duplicates, data.dropped_conflicts) == (3, 2, 1)
    assert data.report() == ("12 rows used of 18; 3 empty (no text or no label) dropped; 2 duplicates dropped; "
                             "1 repeated texts with another label dropped")


def test_whitespace_is_normalised_and_long_texts_are_cut():
    data = clean([("  a   b\n c ", "x"), ("y" * 20, "x")] + rows(), DatasetLimits(max_text_chars=10))
    assert data.texts[:2] == ["a b c", "y" * 10] and data.cut_long == 1


@pytest.mark.parametrize("pairs, message", [
    ([(f"t{i}", "same") for i in range(20)], "Every row has the label 'same'"),
    (rows(n_per_label=2), "Only 4 usable rows"),
    (rows() + [("lonely", "c")], "single row \\('c'\\)"),
    ([(f"t{i}", f"label{i}") for i in range(30)], "30 label\\(s\\) have a single row"),
    ([(f"t{i}", f"label{i % 51}") for i in range(102)], "51 different values; the limit is 50"),
])
def test_data_a_classifier_cannot_learn_from_is_refused(pairs, message):
    with pytest.raises(DatasetError, match=message):
        clean(pairs, LIMITS)


def test_the_split_is_stratified_deterministic_and_keeps_every_label_on_both_sides():
    data = clean(rows(n_per_label=10, labels=("a", "b", "c")) + [("x1", "rare"), ("x2", "rare")], LIMITS)
    train, val = split(data, 0.2, seed=0)
    assert len(train.texts) + len(val.texts) == len(data.texts)
    assert set(train.labels) == set(val.labels) == {"a", "b", "c", "rare"}
    assert val.counts() == {"a": 2, "b": 2, "c": 2, "rare": 1}
    assert not set(train.texts) & set(val.texts)
    assert split(data, 0.2, seed=0) == (train, val)
    assert split(data, 0.2, seed=1)[1].texts != val.texts


def test_metrics_match_a_hand_computed_case():
    # true: a a a b b c ; predicted: a a b b c c
    result = evaluate([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ["a", "b", "c"])
    assert result.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    assert result.accuracy == pytest.approx(4 / 6)
    a, b, c = (result.per_label[x] for x in "abc")
    assert (a.precision, a.recall) == (1.0, pytest.approx(2 / 3)) and a.f1 == pytest.approx(0.8)
    assert (b.precision, b.recall, b.f1) == (0.5, 0.5, 0.5)
    assert (c.precision, c.recall) == (0.5, 1.0) and c.f1 == pytest.approx(2 / 3)
    assert result.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)


def test_the_sample_set_is_fixed_bilingual_and_trainable(tmp_path):
    pairs = sample_rows()
    assert pairs == sample_rows() and len(pairs) == 300
    assert {label for _, label in pairs} == set(LABELS)
    assert any("足球" in text for text, _ in pairs) and any("football" in text for text, _ in pairs)
    data = labeled_rows(read_table(write(tmp_path, "s.csv", sample_csv()), LIMITS), "text", "label", LIMITS)
    assert len(data.texts) == 300 and data.counts() == {label: 100 for label in sorted(LABELS)}


def test_the_example_file_is_the_sample_set():
    from demos.examples import example_path
    from demos.fine_tune.tab import SAMPLE_FILE

    with open(example_path(SAMPLE_FILE), encoding="utf-8", newline="") as f:
        assert f.read() == sample_csv()


def test_a_long_loss_curve_is_averaged_down_to_a_bounded_number_of_points():
    from demos.fine_tune.tab import TRAIN_CURVE, VALIDATION_CURVE, Curve
    from models.fine_tune.trainer import EpochDone, StepDone

    curve = Curve(max_points=10)
    curve.add([StepDone(1, step, 100, float(step)) for step in range(1, 101)] + [EpochDone(1, 100, 100, 0.5, 0.9)])
    frame = curve.frame()
    train = frame[frame.curve == TRAIN_CURVE]
    assert 5 <= len(train) <= 11 and curve.stride == 16
    assert train.loss.iloc[0] == sum(range(1, 17)) / 16 and train.step.iloc[0] == 16  # a mean over its steps
    assert train.step.iloc[-1] == 100 and train.loss.iloc[-1] == sum(range(97, 101)) / 4  # the latest, partial
    assert frame[frame.curve == VALIDATION_CURVE].values.tolist() == [[100, 0.5, VALIDATION_CURVE]]
    assert "validation accuracy 90.0%" in curve.describe()
    short = Curve()
    short.add([StepDone(1, step, 3, 1.0) for step in (1, 2, 3)])
    assert short.frame().step.tolist() == [1, 2, 3] and str(short.frame().loss.dtype) == "float64"
    assert str(Curve().frame().step.dtype) == "int64"
