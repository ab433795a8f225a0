"""Property tests: every tab's handler, fed arbitrary input on the tiny twins, gives a result or a readable gr.Error.

Text: any unicode (empty, huge, control characters, right-to-left, emoji, mixed scripts, None).
Images: random bytes as a file, PIL images of every mode and extreme sizes, odd arrays.
Audio: random bytes as a file, NaN / inf / silence / one sample / odd sample rates.
Parameters: out-of-range, NaN, wrong types. Nothing else may come out: no other exception, no crash.
The number of cases run per tab is printed at the end of the module (``-s`` or the terminal summary).
"""

from __future__ import annotations

import inspect
import os
import tempfile
import unicodedata
from collections import Counter

import gradio as gr
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# FUZZ_EXAMPLES=200 FUZZ_RANDOM=1 for a longer hunt; the suite runs a fixed, fast sample
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 20)), deadline=None,
                derandomize=not os.environ.get("FUZZ_RANDOM"), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
CASES: Counter = Counter()

SAMPLES = ["", " ", "\n\t ", "\x00\x01\x02 binary \x7f", "مرحبا بالعالم، كيف حالك؟", "שלום עולם",
           "😀👍🏽👨‍👩‍👧 🇨🇳", "Hello 世界 Привет مرحبا", "a" * 60_000, "\u202eevil\u202c text", "\ufeff\u200b\u200d",
           "字" * 3000, "I love this movie", "\ud800 lone surrogate", "e\u0301" * 50]
junk_numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                    st.sampled_from(["", "3", "abc"]))


def mostly(valid, junk):
    """Valid values seven times out of eight, so the model path runs as often as the checks."""
    return st.sampled_from(range(8)).flatmap(lambda i: junk if i == 7 else valid)


texts = mostly(st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=300)
               .filter(str.strip),
               st.one_of(st.sampled_from(SAMPLES), st.text(alphabet=st.characters(codec="utf-8"), max_size=2000),
                         st.none()))


numbers = mostly(st.floats(0, 1), junk_numbers)


@pytest.fixture(scope="module", autouse=True)
def report_cases(request):
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    tabs = sorted({tab for tab, _ in CASES})
    line = "fuzz cases per tab (run/refused with gr.Error): " + ", ".join(
        f"{tab} {CASES[tab, 'run']}/{CASES[tab, 'refused']}" for tab in tabs)
    if reporter is not None:
        reporter.write_line(line)
    else:
        print(line)


def outcome(tab: str, call) -> object:
    """Run a handler (draining it if it streams); the result, or None after a readable gr.Error."""
    CASES[tab, "run"] += 1
    try:
        result = call()
        if inspect.isgenerator(result):
            items = list(result)
            assert items, "a stream must produce something"
            result = items[-1]
    except gr.Error as exc:
        assert_readable(str(exc.message))
        CASES[tab, "refused"] += 1
        if os.environ.get("FUZZ_VERBOSE"):
            print(tab, "refused:", str(exc.message)[:150])
        return None
    assert result is not None
    return result


def assert_readable(message: str) -> None:
    assert 10 <= len(message) <= 1000, message
    assert not any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in message), message
    assert "Traceback" not in message


def temp_file(data: bytes, suffix: str) -> str:
    handle, path = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    return path


def key(ctx, task):
    return ctx.specs(task)[0].key


models_or_junk = lambda ctx, task: mostly(st.just(key(ctx, task)), st.sampled_from(  # noqa: E731
    ["", None, "../../etc/passwd", "someone/other-model", key(ctx, task) + " "]))


# --- text tabs ---------------------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_text_classification(ctx, data):
    from demos.text_classification.tab import TASK, classify_text

    text, model = data.draw(texts), data.draw(models_or_junk(ctx, TASK))
    result = outcome("text-classification", lambda: classify_text(ctx, text, model))
    if result is not None:
        scores, status = result
        assert all(0 <= v <= 1 for v in scores.values()) and status


@FUZZ
@given(data=st.data())
def test_ner(ctx, data):
    from demos.ner.tab import TASK, find_named_entities

    text, model = data.draw(texts), data.draw(models_or_junk(ctx, TASK))
    outcome("ner", lambda: find_named_entities(ctx, text, model))


@FUZZ
@given(data=st.data())
def test_question_answering(ctx, data):
    from demos.question_answering.tab import TASK, answer_from_context

    context, question, model = data.draw(texts), data.draw(texts), data.draw(models_or_junk(ctx, TASK))
    result = outcome("qa", lambda: answer_from_context(ctx, context, question, model))
    if result is not None:  # the answer is a span of the context as checked (stray control characters dropped)
        from demos.ui.common import check_text

        assert result[0] in check_text(context, "Context", ctx.settings.text.max_context_chars)


@FUZZ
@given(data=st.data())
def test_summarization(ctx, data):
    from demos.summarization.tab import TASK, summarize_document

    text = data.draw(texts)
    upload = data.draw(mostly(st.none(), st.binary(max_size=2000).map(lambda b: temp_file(b, ".txt"))))
    length = data.draw(mostly(st.sampled_from(["short", "medium", "long"]), st.sampled_from(["", "huge", None])))
    outcome("summarization", lambda: summarize_document(ctx, text, upload, data.draw(models_or_junk(ctx, TASK)),
                                                        length, data.draw(mostly(st.integers(1, 3), junk_numbers)),
                                                        data.draw(mostly(st.floats(0, 1.5), junk_numbers))))


@FUZZ
@given(data=st.data())
def test_translation(ctx, data):
    from demos.translation.tab import TASK, engines, translate_document
    from demos.translation.routes import pairs
    from models.text.languages import LANGUAGE_NAMES

    junk_languages = st.one_of(st.sampled_from(sorted(LANGUAGE_NAMES)), st.sampled_from(["", "auto", "xx", None]))
    engine = data.draw(mostly(st.sampled_from([value for _, value in engines(ctx.specs(TASK))]),
                              st.sampled_from(["", "nope", None])))
    table = pairs(ctx.specs(TASK), engine)  # mostly a pair the engine offers, sometimes any two codes
    source = data.draw(mostly(st.sampled_from(sorted(table)), junk_languages) if table else junk_languages)
    target = data.draw(mostly(st.sampled_from(table[source]), junk_languages)
                       if table.get(source) else junk_languages)
    text = data.draw(texts)
    outcome("translation", lambda: translate_document(ctx, text, source, target, engine))


@FUZZ
@given(data=st.data())
def test_chat(ctx, data):
    from demos.chat.tab import TASK, chat

    history = data.draw(st.one_of(st.just([]), st.none(), st.lists(st.fixed_dictionaries(
        {"role": st.sampled_from(["user", "assistant", "system", "robot"]), "content": texts}), max_size=3),
        st.sampled_from([[{"bad": 1}], "not a list", [["user text", "bot text"]]])))
    max_new = data.draw(mostly(st.integers(1, 24), junk_numbers))
    outcome("chat", lambda: chat(ctx, data.draw(texts), history, data.draw(texts),
                                 data.draw(models_or_junk(ctx, TASK)), data.draw(mostly(st.floats(0, 2), junk_numbers)),
                                 data.draw(mostly(st.floats(0.05, 1), junk_numbers)), max_new))


@FUZZ
@given(data=st.data())
def test_text_to_speech(ctx, data):
    from demos.text_to_speech.tab import TASK, synthesize_speech

    text = data.draw(mostly(st.text(alphabet="abcdefghij ,.!?", min_size=1, max_size=80).filter(str.strip),
                            st.one_of(texts, st.text(alphabet="abc 字。!?", min_size=1, max_size=80))))
    voice = data.draw(mostly(st.sampled_from([None, ""]), st.sampled_from(["nobody", "default"])))
    outcome("tts", lambda: synthesize_speech(ctx, text, data.draw(models_or_junk(ctx, TASK)),
                                             data.draw(mostly(st.floats(0.5, 2), junk_numbers)),
                                             data.draw(mostly(st.integers(0, 10**6), junk_numbers)), voice))


@FUZZ
@given(data=st.data())
def test_image_generation(ctx, data):
    from demos.image_generation.tab import TASK, generate_images

    small = mostly(st.just(64), st.one_of(st.sampled_from([0, -64, 10**6, 33]), junk_numbers))
    outcome("image-generation", lambda: generate_images(
        ctx, data.draw(texts), data.draw(texts), data.draw(models_or_junk(ctx, TASK)),
        data.draw(mostly(st.integers(1, 3), junk_numbers)), data.draw(mostly(st.floats(0, 10), junk_numbers)),
        data.draw(mostly(st.integers(0, 99), junk_numbers)), data.draw(st.booleans()), data.draw(small),
        data.draw(small), data.draw(mostly(st.integers(1, 2), junk_numbers))))


# --- image tabs --------------------------------------------------------------------------------------

MODES = ["1", "L", "P", "RGB", "RGBA", "CMYK", "YCbCr", "LAB", "HSV", "I", "F", "LA", "PA", "RGBX", "I;16"]
SIZES = [(64, 48), (300, 2500), (16, 16), (40, 40), (1, 1), (2, 700), (4000, 3)]


@st.composite
def images(draw):
    from PIL import Image

    kind = draw(st.sampled_from(["pil", "file", "bytes", "array", "junk"]))
    if kind == "bytes":
        return temp_file(draw(st.binary(max_size=4000)), draw(st.sampled_from([".png", ".jpg", ".webp", ".gif"])))
    if kind == "array":
        shape = draw(st.sampled_from([(0, 0), (8,), (40, 40), (40, 40, 1), (40, 40, 2), (40, 40, 5), (1, 1, 3)]))
        dtype = draw(st.sampled_from([np.uint8, np.float32, np.float64, np.int64, bool]))
        array = np.random.default_rng(draw(st.integers(0, 99))).normal(0, 300, shape).astype(dtype)
        if dtype is np.float64 and array.size:
            array.flat[0] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 0.0]))
        return array
    if kind == "junk":
        return draw(st.sampled_from([None, "", "/nonexistent/x.png", "/etc", 42]))
    image = Image.new(draw(st.sampled_from(MODES)), draw(st.sampled_from(SIZES)))
    if kind == "file":
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "image.png")
        try:
            image.save(path)
        except (OSError, ValueError, KeyError):  # a mode PNG cannot hold
            path = os.path.join(folder, "image.tiff")
            try:
                image.save(path)
            except (OSError, ValueError, KeyError):  # nor TIFF (HSV): hand over the image itself
                return image
        return path
    return image


@FUZZ
@given(data=st.data())
def test_image_classification(ctx, data):
    from demos.image_classification.tab import TASK, classify

    outcome("image-classification", lambda: classify(ctx, data.draw(images()),
                                                     data.draw(models_or_junk(ctx, TASK)),
                                                     data.draw(mostly(st.integers(1, 10), junk_numbers))))


@FUZZ
@given(data=st.data())
def test_object_detection(ctx, data):
    from demos.object_detection.tab import TASK, detect

    outcome("object-detection", lambda: detect(ctx, data.draw(images()), data.draw(models_or_junk(ctx, TASK)),
                                               data.draw(numbers), data.draw(texts)))


# --- learning tabs -------------------------------------------------------------------------------------

@FUZZ
@given(data=st.data())
def test_attention_explorer(ctx, data):
    from demos.attention.tab import TASK, explain_attention

    layer = data.draw(mostly(st.integers(0, 1), junk_numbers))
    head = data.draw(mostly(st.sampled_from(["average", "0", "1"]), st.sampled_from(["", None, "-1", "1.5", "2", 3.0])))
    token = data.draw(mostly(st.integers(0, 4), junk_numbers))
    result = outcome("attention", lambda: explain_attention(ctx, data.draw(texts), data.draw(models_or_junk(ctx, TASK)),
                                                            layer, head, token))
    if result is not None:  # every worked row is a probability distribution that matches the model's row
        table = result[2]
        assert abs(sum(row[4] for row in table) - 1) < 1e-3 and all(abs(row[4] - row[5]) < 1e-4 for row in table)


@FUZZ
@given(data=st.data())
def test_fill_mask(ctx, data):
    from demos.fill_mask.tab import TASK, fill_mask

    # a sentence with blanks put in at random places (0 to 7 of them), or any text
    with_blanks = st.lists(st.text(max_size=40), min_size=1, max_size=8).map("[MASK]".join)
    text = data.draw(st.one_of(with_blanks, texts))
    top_k = data.draw(mostly(st.integers(1, 20), junk_numbers))
    result = outcome("fill-mask", lambda: fill_mask(ctx, text, data.draw(models_or_junk(ctx, TASK)), top_k))
    if result is not None:  # each blank's guesses are probabilities, best first, and the table has them all
        first, filled, table, status = result
        assert list(first.values()) == sorted(first.values(), reverse=True) and all(0 <= v <= 1 for v in first.values())
        assert len(table) == int(float(top_k)) * sum(1 for _, label in filled if label) and status


@settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 2))  # beam search on every run: half the cases
@given(data=st.data())
def test_knowledge_graph(ctx, data):
    from demos.knowledge_graph.tab import TASK, extract_knowledge_graph

    result = outcome("knowledge-graph", lambda: extract_knowledge_graph(ctx, data.draw(texts),
                                                                        data.draw(models_or_junk(ctx, TASK))))
    if result is not None:
        table, _, raw, status = result
        assert isinstance(raw, str) and status and all(len(row) == 3 for row in table)


# --- audio -------------------------------------------------------------------------------------------

@st.composite
def recordings(draw):
    import soundfile

    kind = draw(mostly(st.just("wav"), st.sampled_from(["bytes", "junk"])))
    if kind == "bytes":
        return temp_file(draw(st.binary(max_size=4000)), draw(st.sampled_from([".wav", ".mp3", ".flac", ".ogg"])))
    if kind == "junk":
        return draw(st.sampled_from([None, "", "/nonexistent.wav", "/etc"]))
    rate = draw(st.sampled_from([8000, 16000, 44100, 1, 192000]))
    length = draw(st.sampled_from([1, 2, 160, 16000]))
    channels = draw(st.sampled_from([1, 2]))
    fill = draw(st.sampled_from(["noise", "silence", "nan", "inf", "loud"]))
    samples = np.random.default_rng(length).normal(0, 0.3, (length, channels))
    samples = {"silence": samples * 0, "nan": np.where(samples > 0, np.nan, samples),
               "inf": np.where(samples > 0, np.inf, samples), "loud": samples * 1e6}.get(fill, samples)
    path = tempfile.mkstemp(suffix=".wav")[1]
    soundfile.write(path, samples.astype(np.float32), rate, subtype="FLOAT")
    return path


@FUZZ
@given(data=st.data())
def test_speech_recognition(ctx, data):
    from demos.speech_recognition.tab import TASK, transcribe

    language = data.draw(mostly(st.sampled_from(["auto", "en", "zh"]), st.sampled_from(["", "klingon", None])))
    task = data.draw(mostly(st.just("transcribe"), st.sampled_from(["translate", "", None])))
    outcome("asr", lambda: transcribe(ctx, data.draw(recordings()), data.draw(models_or_junk(ctx, TASK)), language,
                                      task, data.draw(st.sampled_from([True, False, None, "yes"]))))


# --- fine-tuning -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fine_tune_ctx(tmp_path_factory):
    """A registry, data folder and training slot of their own: the models these runs save stay out of the rest."""
    import torch

    from demos.fine_tune import tab as fine_tune
    from demos.ui.common import DemoContext
    from models.runtime.manager import ModelManager
    from models.registry import builtin_registry
    from models.settings import Settings

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models gain nothing from threads; a busy 2-core machine loses a lot
    manager = ModelManager(builtin_registry(), profile="tiny", device="cpu", max_models=2)
    ctx = DemoContext(manager, Settings(data_dir=str(tmp_path_factory.mktemp("fine-tune-data"))))
    fine_tune._state(ctx).store.max_saved = 10**6
    yield ctx
    manager.close()
    torch.set_num_threads(threads)


@st.composite
def training_files(draw):
    """A CSV/TSV-ish upload: random bytes, random text, or rows of random texts and labels."""
    kind = draw(st.sampled_from(["bytes", "text", "rows", "rows"]))
    if kind == "bytes":
        return temp_file(draw(st.binary(max_size=2000)), draw(st.sampled_from([".csv", ".tsv", ".txt"])))
    if kind == "text":
        return temp_file(draw(st.sampled_from(SAMPLES)).encode("utf-8", "surrogatepass"), ".csv")
    cell = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
    rows = draw(st.lists(st.tuples(cell, st.sampled_from(["a", "b", "c", "", "a "])), min_size=0, max_size=40))
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows([("text", "label"), *rows])
    return temp_file(out.getvalue().encode("utf-8"), ".csv")


@FUZZ
@given(data=st.data())
def test_fine_tune(fine_tune_ctx, data):
    from demos.fine_tune.tab import TASK, train_classifier

    ctx = fine_tune_ctx
    use_sample = data.draw(mostly(st.just(True), st.sampled_from([False, None])))
    file = None if use_sample else data.draw(st.one_of(training_files(), st.none(), st.just("/etc/passwd")))
    columns = mostly(st.sampled_from(["text", "label"]), st.one_of(texts, st.none()))
    settings = [data.draw(mostly(st.integers(1, 2), junk_numbers)),              # epochs
                data.draw(mostly(st.floats(1e-4, 1e-2), junk_numbers)),         # learning rate
                data.draw(mostly(st.integers(64, 128), junk_numbers)),          # batch size (few steps: fast)
                data.draw(mostly(st.floats(0.05, 0.5), junk_numbers))]          # validation share
    result = outcome("fine-tune", lambda: train_classifier(
        ctx, file, data.draw(columns), data.draw(columns), use_sample, data.draw(models_or_junk(ctx, TASK)),
        *settings, data.draw(mostly(st.just(""), texts)), None))
    if result is not None:
        status = result[-1]
        assert "Saved as" in status or "nothing was saved" in status, status


def test_every_tab_is_fuzzed():
    from models.registry.tasks import NAMES

    runs = {tab: n for (tab, kind), n in CASES.items() if kind == "run"}
    assert set(runs) == set(NAMES), set(NAMES) - set(runs)
    assert all(n >= min(10, FUZZ.max_examples) for n in runs.values()), runs
    assert any(runs[tab] > CASES[tab, "refused"] for tab in runs)  # valid inputs reach the models too


def test_found_by_fuzzing_a_missing_engine_is_refused(registry):
    from demos.translation.routes import RouteError, pairs, resolve

    specs = registry.for_task("translation")
    assert pairs(specs, None) == {} and pairs(specs, "") == {}
    with pytest.raises(RouteError, match="Unknown translation model"):
        resolve(specs, None, "cs", "ar")  # None once matched every entry without a family: KeyError 'source'
