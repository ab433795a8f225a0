""""Show the code": every tab's script, run on the tab's tiny twin, gives the tab's own result.

For each tab, the tab's ``code_settings`` turns the same inputs its handler gets into the script's settings;
the script's checkpoint is replaced by the tiny twin's folder and all scripts run in ONE subprocess (torch and
friends import once), offline, each in its own working folder holding the input files it names. The handler
then runs on the same twin in this process and the results are compared. Tolerances (same CPU, fp32, same
library calls, so most results are exact): scores within 1e-4, box corners within 1 pixel, generated text
equal after stripping outer whitespace (transcripts: ignoring whitespace), images within 1/255 per pixel,
audio the same number of samples and within 2/32768 per sample (the tab writes 16-bit WAV).
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from PIL import Image

from demos.attention import tab as attention
from demos.chat import tab as chat
from demos.fill_mask import tab as fill_mask
from demos.image_classification import tab as image_classification
from demos.image_generation import tab as image_generation
from demos.ner import tab as ner
from demos.object_detection import tab as object_detection
from demos.question_answering import tab as question_answering
from demos.speech_recognition import tab as speech_recognition
from demos.summarization import tab as summarization
from demos.text_classification import tab as text_classification
from demos.text_to_speech import tab as text_to_speech
from demos.translation import tab as translation
from demos.ui.code_panel import snippet_for
from demos.examples import example_path
from models.code_snippets import TASKS_WITHOUT_SNIPPETS, behaviour_fingerprint, render
from models.families import KINDS
from models.registry.sources import resolve_source
from tests.conftest import with_settings

TEXT = "I love this movie. Sarah works for Google in London."
CONTEXT = "The Transformer was introduced in 2017 by researchers at Google in Mountain View."
SYSTEM = "You are a helpful assistant."

# runs each script named in a manifest in its own folder; writes the variables asked for as JSON
HARNESS = r"""
import json, os, runpy, sys, traceback
manifest = json.load(open(sys.argv[1]))
results = {}
for name, job in manifest.items():
    os.chdir(job["folder"])
    try:
        namespace = runpy.run_path(job["script"], run_name="__main__")
        results[name] = {"values": {v: namespace.get(v) for v in job["variables"]}}
    except BaseException:
        results[name] = {"error": traceback.format_exc()}
json.dump(results, open(sys.argv[2], "w"), default=lambda value: value.item() if hasattr(value, "item") else str(value))
"""


@dataclass(frozen=True)
class Case:
    tab: Any                      # the demo module
    inputs: tuple                 # what code_settings takes after ctx (the same values the handler gets)
    variables: tuple[str, ...]    # what the script leaves behind to compare
    files: tuple[str, ...] = ()   # input files the script opens by name


def _speech_file(folder: Path) -> str:
    """1.2 s of a 22.05 kHz stereo 'voice' (a tone with harmonics): the script must resample it as the tab does."""
    rate = 22_050
    t = np.arange(int(1.2 * rate)) / rate
    wave = (0.3 * np.sin(2 * np.pi * 180 * t) + 0.1 * np.sin(2 * np.pi * 540 * t)).astype(np.float32)
    path = folder / "speech.wav"
    soundfile.write(path, np.stack([wave, 0.5 * wave], axis=1), rate)
    return str(path)


def cases(folder: Path) -> dict[str, Case]:
    photo, road, speech = example_path("flower.jpg"), example_path("road_scene.png"), _speech_file(folder)
    return {
        # every tab, and the other runner kinds and code paths of the tabs that have several
        "text-classification": Case(text_classification, ("text-classification/distilbert-sst2", TEXT), ("scores",)),
        "ner": Case(ner, ("token-classification/bert-base-ner", TEXT), ("entities",)),
        "qa": Case(question_answering, ("question-answering/distilbert-squad", CONTEXT, "Who introduced it?"),
                   ("answer", "best")),
        "qa/no-answer": Case(question_answering, ("question-answering/xlm-roberta-squad2", CONTEXT, "Who?"),
                             ("answer", "best")),
        "summarization": Case(summarization, ("summarization/distilbart-cnn-12-6", CONTEXT + " " + TEXT, None,
                                              "short", 1, 0.3), ("summary",)),
        "summarization/chat": Case(summarization, ("summarization/qwen2.5-0.5b-instruct", TEXT, None, "short", 1,
                                                   0.0), ("summary",)),
        "translation": Case(translation, ("opus-mt", "en", "zh", "I love this movie. It is long.\n\nSarah works."),
                            ("translation",)),
        "translation/m2m100": Case(translation, ("translation/m2m100-418m", "de", "fr", "Guten Tag. Wie geht es?"),
                                   ("translation",)),
        "chat": Case(chat, ("chat/qwen2.5-0.5b-instruct", "Hello, who are you?", SYSTEM, 0.0, 0.8, 12),
                     ("answer", "MESSAGES")),
        "image-classification": Case(image_classification, ("image-classification/convnext-tiny", photo, 3),
                                     ("scores",), (photo,)),
        "image-classification/vit": Case(image_classification, ("image-classification/vit-base", photo, 4),
                                         ("scores",), (photo,)),
        "object-detection": Case(object_detection, ("object-detection/detr-resnet-50", road, 0.05, ""),
                                 ("boxes",), (road,)),
        "image-generation": Case(image_generation, ("text-to-image/sd-turbo", "a red car", "", 2, 0.0, 7, 64, 64, 1),
                                 ()),
        "asr": Case(speech_recognition, ("automatic-speech-recognition/whisper-base", speech, "en", "transcribe", True),
                    ("transcript",), (speech,)),
        "tts": Case(text_to_speech, ("text-to-speech/mms-tts-eng", "Hello there. How are you today?", 1.0, 5, ""),
                    ("rate",)),
        "attention": Case(attention, ("attention/bert-base-uncased", TEXT, 1, "0", 2), ("row", "tokens")),
        "attention/average": Case(attention, ("attention/distilbert-base-uncased", TEXT, 0, "average", 1),
                                  ("row", "tokens")),
        "fill-mask": Case(fill_mask, ("fill-mask/bert-base-uncased", "I [MASK] this movie and the [mask].", 4),
                          ("blanks",)),
        "fill-mask/chinese": Case(fill_mask, ("fill-mask/bert-base-chinese", "北京是中国的[MASK]都。", 3), ("blanks",)),
        "tts/bark": Case(text_to_speech, ("text-to-speech/bark-small", "Hello there. How are you?", 1.0, 3,
                                          "v2/en_speaker_8"), ("rate",)),
    }


def code_settings(ctx, case: Case) -> tuple[str, dict]:
    """The tab's own mapping from its inputs to the script's settings (the chat tab reads its conversation)."""
    if case.tab is chat:
        key, message, system, temperature, top_p, max_new = case.inputs
        return chat.code_settings(ctx, key, [], message, system, temperature, top_p, max_new)
    return case.tab.code_settings(ctx, *case.inputs)


def twin_script(spec, settings: dict, twin: str) -> str:
    """The script with its checkpoint replaced by the twin's folder (timm names it with a prefix)."""
    script = render(spec, settings)
    if spec.runner == "timm":
        return script.replace(repr(f"hf-hub:{spec.checkpoint}"), repr(f"local-dir:{twin}"))
    assert repr(spec.checkpoint) in script, spec.key
    return script.replace(repr(spec.checkpoint), repr(twin))


@pytest.fixture(scope="module")
def scripts_run(ctx, tmp_path_factory):
    """Every tab's script, run once in one offline subprocess: {tab: {"values": ..., "folder": ...}}."""
    root = tmp_path_factory.mktemp("snippets")
    inputs = root / "inputs"
    inputs.mkdir()
    all_cases = cases(inputs)
    manifest, meta = {}, {}
    for name, case in all_cases.items():
        key, settings = code_settings(ctx, case)
        spec = ctx.manager.registry.get(key)
        folder = root / name.replace("/", "--")
        folder.mkdir()
        for file in case.files:
            shutil.copy(file, folder / Path(file).name)
        script = folder / "snippet.py"
        script.write_text(twin_script(spec, settings, resolve_source(spec, "tiny").path), encoding="utf-8")
        manifest[name] = {"folder": str(folder), "script": str(script), "variables": list(case.variables)}
        meta[name] = {"key": key, "settings": settings, "folder": folder}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": ""}
    done = subprocess.run([sys.executable, "-c", HARNESS, str(root / "manifest.json"), str(root / "out.json")],
                          cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((root / "out.json").read_text(encoding="utf-8"))
    return {name: {**results[name], **meta[name], "case": all_cases[name]} for name in all_cases}


def script_values(scripts_run, tab: str) -> dict:
    run = scripts_run[tab]
    assert "error" not in run, f"the {tab} tab's script failed:\n{run.get('error')}"
    return run["values"]


def last(generator):
    item = None
    for item in generator:
        pass
    return item


# --- every tab: the script's result is the tab's result ------------------------------------------------

def test_text_classification_script_gives_the_tabs_scores(ctx, scripts_run):
    case = scripts_run["text-classification"]["case"]
    labels, _ = text_classification.classify_text(ctx, case.inputs[1], case.inputs[0])
    scores = script_values(scripts_run, "text-classification")["scores"]
    assert [s["label"] for s in scores] == list(labels)
    assert np.allclose([s["score"] for s in scores], list(labels.values()), atol=1e-4)


def test_ner_script_finds_the_tabs_entities(ctx, scripts_run):
    case = scripts_run["ner"]["case"]
    _, table, _ = ner.find_named_entities(ctx, case.inputs[1], case.inputs[0])
    entities = script_values(scripts_run, "ner")["entities"]
    assert table, "the twin found no entity: the comparison would prove nothing"
    assert [(e["entity_group"], e["start"], e["end"]) for e in entities] == [(r[1], r[3], r[4]) for r in table]
    assert np.allclose([e["score"] for e in entities], [r[2] for r in table], atol=1e-4)


@pytest.mark.parametrize("name", ['qa', 'qa/no-answer'])
def test_qa_script_decodes_the_tabs_answer_span(ctx, scripts_run, name):
    case = scripts_run[name]["case"]
    key, context, question = case.inputs
    answer, highlighted, status = question_answering.answer_from_context(ctx, context, question, key)
    values = script_values(scripts_run, name)
    if not highlighted["entities"]:  # the model pointed at "no answer" (SQuAD 2.0 models may)
        assert values["answer"] == "(no answer)"
        return
    span = highlighted["entities"][0]
    assert values["answer"] == answer and answer
    assert (values["best"][1], values["best"][2]) == (span["start"], span["end"])
    assert f"score {values['best'][0]:.3f}" in status  # the status line shows the span probability


@pytest.mark.parametrize("name", ['summarization', 'summarization/chat'])
def test_summarization_script_writes_the_tabs_summary(ctx, scripts_run, name):
    case = scripts_run[name]["case"]
    key, text, file, length, beams, temperature = case.inputs
    summary, _, _ = last(summarization.summarize_document(ctx, text, file, key, length, beams, temperature))
    # (the chat twin answers with blank lines only: then the raw texts are compared too)
    assert script_values(scripts_run, name)["summary"].strip() == summary.strip() and summary
    if not summary.strip():
        assert script_values(scripts_run, name)["summary"] == summary


@pytest.mark.parametrize("name", ['translation', 'translation/m2m100'])
def test_translation_script_gives_the_tabs_translation(ctx, scripts_run, name):
    case = scripts_run[name]["case"]
    engine, source, target, text = case.inputs
    translated, _ = last(translation.translate_document(ctx, text, source, target, engine))
    assert script_values(scripts_run, name)["translation"] == translated.strip() and translated.strip()
    if name == "translation":
        assert scripts_run[name]["key"] == "translation/opus-mt-en-zh"  # the engine's pair chose the entry
        assert translated.count("\n\n") == 1  # the paragraph break survived in both


def test_chat_script_gives_the_tabs_answer(ctx, scripts_run):
    case = scripts_run["chat"]["case"]
    key, message, system, temperature, top_p, max_new = case.inputs
    history, _, _ = last(chat.chat(ctx, message, [], system, key, temperature, top_p, max_new))
    answer = history[-1]["content"]
    values = script_values(scripts_run, "chat")
    # the twin answers greedily with blank lines only: compare the raw text, and the conversation sent
    assert values["answer"] == answer and answer
    assert values["MESSAGES"] == [{"role": "system", "content": system}, {"role": "user", "content": message}]
    # after the reply, the panel shows the conversation that led to it: the same script
    assert chat.code_settings(ctx, key, history, "", system, temperature, top_p, max_new) == \
        code_settings(ctx, case)


@pytest.mark.parametrize("name", ['image-classification', 'image-classification/vit'])
def test_image_classification_script_gives_the_tabs_scores(ctx, scripts_run, name):
    case = scripts_run[name]["case"]
    key, image, top_k = case.inputs
    labels, _ = image_classification.classify(ctx, image, key, top_k)
    scores = script_values(scripts_run, name)["scores"]
    scores = [(s["label"], s["score"]) if isinstance(s, dict) else tuple(s) for s in scores]  # pipeline or timm
    assert [label for label, _ in scores] == list(labels)
    assert np.allclose([p for _, p in scores], list(labels.values()), atol=1e-4)


def test_object_detection_script_draws_the_tabs_boxes(ctx, scripts_run):
    case = scripts_run["object-detection"]["case"]
    key, image, threshold, labels = case.inputs
    _, table, _ = object_detection.detect(ctx, image, key, threshold, labels)
    boxes = script_values(scripts_run, "object-detection")["boxes"]
    assert table, "the twin found no box at this threshold: the comparison would prove nothing"
    assert [label for label, _, _ in boxes] == [row[0] for row in table]
    assert np.allclose([score for _, score, _ in boxes], [row[1] for row in table], atol=1e-4)
    assert np.abs(np.array([box for _, _, box in boxes]) - np.array([row[2:] for row in table])).max() <= 1


def test_image_generation_script_paints_the_tabs_image(ctx, scripts_run, tmp_path):
    ctx = with_settings(ctx, generated_dir=str(tmp_path))
    case = scripts_run["image-generation"]["case"]
    key, prompt, negative, steps, guidance, seed, width, height, count = case.inputs
    script_values(scripts_run, "image-generation")
    gallery, used_seed, _ = image_generation.generate_images(ctx, prompt, negative, key, steps, guidance, seed, False,
                                                             width, height, count)
    ours = np.asarray(Image.open(gallery[0][0]).convert("RGB"), dtype=np.int16)
    theirs = np.asarray(Image.open(scripts_run["image-generation"]["folder"] / f"image-{used_seed}.png")
                        .convert("RGB"), dtype=np.int16)
    assert ours.shape == theirs.shape == (height, width, 3)
    assert np.abs(ours - theirs).max() <= 1


def test_speech_recognition_script_gives_the_tabs_transcript(ctx, scripts_run):
    case = scripts_run["asr"]["case"]
    key, audio, language, task, timestamps = case.inputs
    text, _, _, _ = speech_recognition.transcribe(ctx, audio, key, language, task, timestamps)
    transcript = script_values(scripts_run, "asr")["transcript"]
    assert "".join(transcript.split()) == "".join(text.split())


@pytest.mark.parametrize("name", ['tts', 'tts/bark'])
def test_text_to_speech_script_speaks_the_tabs_audio(ctx, scripts_run, name):
    case = scripts_run[name]["case"]
    key, text, speed, seed, voice = case.inputs
    values = script_values(scripts_run, name)
    path, _ = text_to_speech.synthesize_speech(ctx, text, key, speed, seed, voice)
    ours, rate = soundfile.read(path, dtype="float32")
    theirs, their_rate = soundfile.read(scripts_run[name]["folder"] / "speech.wav", dtype="float32")
    assert values["rate"] == rate == their_rate
    assert len(ours) == len(theirs) > rate // 10
    assert np.abs(ours - theirs).max() <= 2 / 32768


def tabs_with_code() -> set[str]:
    from demos import load_demos
    from models.registry.tasks import NAMES

    return {name for name, demo in zip(NAMES, load_demos()) if demo.TASK not in TASKS_WITHOUT_SNIPPETS}


@pytest.mark.parametrize("name", ["attention", "attention/average"])
def test_attention_script_gives_the_tabs_heatmap_row(ctx, scripts_run, name):
    case = scripts_run[name]["case"]
    key, text, layer, head, token = case.inputs
    maps = ctx.manager.get(key)([text], layer=layer, head=0, token=token)[0]  # what the tab's heatmap shows
    matrix = maps.attention.mean(axis=0) if head == "average" else maps.attention[int(head)]
    values = script_values(scripts_run, name)
    assert values["tokens"] == maps.tokens
    np.testing.assert_allclose(values["row"], matrix[token], atol=1e-5)
    assert sum(values["row"]) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("name", ["fill-mask", "fill-mask/chinese"])
def test_fill_mask_script_gives_the_tabs_guesses(ctx, scripts_run, name):
    case = scripts_run[name]["case"]
    key, text, top_k = case.inputs
    _, _, table, _ = fill_mask.fill_mask(ctx, text, key, top_k)
    blanks = script_values(scripts_run, name)["blanks"]
    if blanks and isinstance(blanks[0], dict):
        blanks = [blanks]
    rows = [(guess["token_str"], guess["score"]) for guesses in blanks for guess in guesses]
    assert [token for token, _ in rows] == [row[1] for row in table]
    assert np.allclose([score for _, score in rows], [row[2] for row in table], atol=1e-4)


def test_every_tab_has_a_case(tmp_path):
    assert {name.split("/")[0] for name in cases(tmp_path)} == tabs_with_code()
    assert len(tabs_with_code()) == 13


# --- snippets stay in step with their runners ----------------------------------------------------------

def runners_with_snippets() -> list[str]:
    from models.registry import builtin_registry

    return sorted({spec.runner for spec in builtin_registry() if spec.task not in TASKS_WITHOUT_SNIPPETS})


@pytest.mark.parametrize("runner", runners_with_snippets())
def test_runner_changes_are_reviewed_in_its_snippet(runner):
    module_name = KINDS[runner].runner.partition(":")[0]
    module = importlib.import_module(module_name)
    own = module_name.replace(".", "/") + ".py"
    reviewed = module.SNIPPET_REVIEWED
    assert own in reviewed, f"{own}: SNIPPET_REVIEWED must list the runner's own module"
    stale = {path: behaviour_fingerprint(path) for path, recorded in reviewed.items()
             if behaviour_fingerprint(path) != recorded}
    assert not stale, (
        f"The code behind the {runner!r} runner changed since its \"Show the code\" snippet was last reviewed: "
        f"{', '.join(stale)}. Check that code_snippet() in {own} still does what the runner does (and that "
        f"tests/models/test_code_snippets.py still covers it), then record the new fingerprints in SNIPPET_REVIEWED: "
        f"{stale}")


def task_templates() -> list[str]:
    from models.registry.tasks import TASKS

    return sorted({use.snippet for row in TASKS for use in row.uses.values() if isinstance(use.snippet, str)})


@pytest.mark.parametrize("target", task_templates())
def test_a_tasks_own_template_is_reviewed_against_the_code_it_mirrors(target):
    module_name = target.partition(":")[0]
    reviewed = importlib.import_module(module_name).SNIPPET_REVIEWED
    assert len(reviewed) >= 2, "a task's template mirrors its kind's runner and its own logic: list both"
    stale = {path: behaviour_fingerprint(path) for path, recorded in reviewed.items()
             if behaviour_fingerprint(path) != recorded}
    assert not stale, f"{module_name}: the code it mirrors changed; review the template, then record {stale}"


def test_fingerprints_ignore_the_snippet_docstrings_and_formatting(tmp_path, monkeypatch):
    import models.code_snippets as code_snippets

    base = "def run(x):\n    return x + 1\n"
    variants = {
        "same": base,
        "reformatted": "def run( x ):\n\n    return (x + 1)  # a comment\n",
        "documented": 'def run(x):\n    """Adds one."""\n    return x + 1\n',
        "snippet edited": base + "\nSNIPPET_REVIEWED = {'a': 'b'}\n\n"
                                 "def code_snippet(spec, settings):\n    return ''\n",
        "behaviour changed": "def run(x):\n    return x + 2\n",
    }
    monkeypatch.setattr(code_snippets, "ROOT", tmp_path)
    prints = {}
    for name, source in variants.items():
        (tmp_path / f"{name}.py").write_text(source)
        prints[name] = behaviour_fingerprint(f"{name}.py")
    assert prints["same"] == prints["reformatted"] == prints["documented"] == prints["snippet edited"]
    assert prints["behaviour changed"] != prints["same"]


# --- every entry's snippet is valid Python, and user text stays data -------------------------------------

HOSTILE = '"""\'\'\' + __import__("os").system("echo PWNED") #{0} {x} \\n\\\n\x00 \u202e 中文'


def settings_with(text: str) -> dict:
    return {"text": text, "context": text, "question": text, "prompt": text, "negative_prompt": text,
            "messages": [{"role": "system", "content": text}, {"role": "user", "content": text}],
            "source": "en", "target": "zh", "image": text, "audio": text, "labels": [text], "voice": text,
            "language": "en", "task": "transcribe", "timestamps": True, "top_k": 3, "threshold": 0.5,
            "max_new_tokens": 20, "temperature": 0.0, "seed": 1, "speed": 1.0, "steps": 2, "guidance": 0.0}


def names_in(script: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(script)) if isinstance(node, ast.Name)}


def test_every_entrys_snippet_compiles_and_embeds_hostile_text_as_data(registry):
    for spec in (spec for spec in registry if spec.task not in TASKS_WITHOUT_SNIPPETS):
        benign = render(spec, settings_with("a cat"))
        hostile = render(spec, settings_with(HOSTILE))
        compile(hostile, spec.key, "exec")
        assert benign.startswith("# pip install "), spec.key
        assert names_in(hostile) == names_in(benign), spec.key  # the text added no identifier, no call
        constants = [node.value for node in ast.walk(ast.parse(hostile)) if isinstance(node, ast.Constant)]
        assert any(isinstance(c, str) and HOSTILE.strip() in c for c in constants), spec.key
        assert repr(spec.checkpoint) in hostile or spec.runner == "timm", spec.key


def test_the_panel_says_why_there_is_no_code_instead_of_failing(ctx):
    note = snippet_for(ctx, translation.code_settings, "opus-mt", "en", "ja", "Hello")
    assert note.startswith("# No code for these settings:") and "ja" in note
    compile(note, "note", "exec")


def test_every_tab_shows_a_code_panel_outside_the_api(ctx):
    import gradio as gr

    import app

    demo = app.build_app(app.parse_args(["--profile", "tiny"]))
    codes = [block for block in demo.blocks.values() if isinstance(block, gr.Code)]
    assert len(codes) == len(tabs_with_code())
    assert all(code.value.startswith("# pip install ") for code in codes)
    feeding = [fn for fn in demo.fns.values() if any(out in codes for out in fn.outputs)]
    assert feeding and all(fn.api_visibility == "private" for fn in feeding)


def test_a_gguf_entrys_script_loads_its_gguf_file(registry):
    import dataclasses

    spec = dataclasses.replace(registry.get("chat/qwen2.5-0.5b-instruct"), checkpoint="/srv/models/smollm2",
                               gguf_file="SmolLM2-135M-Instruct.Q4_1.gguf")
    script = render(spec, {"messages": [{"role": "user", "content": "Hi"}]})
    compile(script, spec.key, "exec")
    assert script.startswith('# pip install "transformers>=5" torch gguf')
    assert "GGUF_FILE = 'SmolLM2-135M-Instruct.Q4_1.gguf'" in script
    assert script.count("from_pretrained(CHECKPOINT, revision=REVISION, gguf_file=GGUF_FILE") == 2
