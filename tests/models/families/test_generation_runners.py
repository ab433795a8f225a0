"""The seq2seq and chat runners on tiny twins: real loading paths, streaming, stopping, chat templates."""

import json
import threading

import pytest

from models.text.generation_tasks import plan_windows, summarize, summary_window, translate
from models.registry.sources import resolve_source

BART = "summarization/distilbart-cnn-12-6"
CHAT = "chat/qwen2.5-0.5b-instruct"
EN_ZH = "translation/opus-mt-en-zh"
M2M = "translation/m2m100-418m"

# each streamed read finds one new token, and a generation runs until the test has read what it needs
pytestmark = pytest.mark.usefixtures("lockstep_generation")

LONG_TEXT = " ".join(f"The museum number {i} opens at nine in the morning and closes at six in the evening."
                     for i in range(30))


def twin_path(registry, key):
    return resolve_source(registry.get(key), "tiny").path


# --- the twins have the real families' layout -------------------------------------------------------

def test_marian_twin_has_two_spm_files_and_pad_last(registry, tiny_manager):
    runner = tiny_manager.get(EN_ZH)
    folder = twin_path(registry, EN_ZH)
    vocab = json.load(open(f"{folder}/vocab.json", encoding="utf-8"))
    assert type(runner.tokenizer).__name__ == "MarianTokenizer" and type(runner.model).__name__ == "MarianMTModel"
    assert vocab["</s>"] == 0 and vocab["<unk>"] == 1 and vocab["<pad>"] == len(vocab) - 1
    assert runner.model.config.decoder_start_token_id == vocab["<pad>"]
    ids = runner.tokenizer([">>cmn_Hans<< The museum opens"])["input_ids"][0]
    assert ids[0] == vocab[">>cmn_Hans<<"] and runner.tokenizer.unk_token_id not in ids


def test_m2m100_twin_language_tokens_fit_the_embedding(tiny_manager):
    runner = tiny_manager.get(M2M)
    tokenizer = runner.tokenizer
    assert type(tokenizer).__name__ == "M2M100Tokenizer"
    assert max(tokenizer.get_lang_id(code) for code in ("en", "zh", "zu")) < runner.model.config.vocab_size
    tokenizer.src_lang = "zh"
    ids = tokenizer(["长城很长"])["input_ids"][0]
    assert ids[0] == tokenizer.get_lang_id("zh")
    assert tokenizer.decode([tokenizer.get_lang_id("de")] + ids[1:], skip_special_tokens=True) == "长城很长"


def test_bart_twin_tokenizer_knows_words(tiny_manager):
    runner = tiny_manager.get(BART)
    assert type(runner.model).__name__ == "BartForConditionalGeneration"
    ids = runner.tokenizer("The museum opens")["input_ids"]
    assert ids[0] == 0 and ids[-1] == 2 and runner.tokenizer.unk_token_id not in ids


def test_chat_twin_has_a_template_and_stops_at_end_of_turn(tiny_manager):
    runner = tiny_manager.get(CHAT)
    im_end = runner.tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert im_end in runner.model.generation_config.eos_token_id
    assert type(runner.model).__name__ == "Qwen2ForCausalLM"


# --- chat runner ----------------------------------------------------------------------------------

def test_chat_template_renders_system_and_history_in_order(tiny_manager):
    runner = tiny_manager.get(CHAT)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"},
                {"role": "assistant", "content": "Hi there"}, {"role": "user", "content": "你好吗"}]
    prompt = runner.render(messages)
    assert prompt.startswith("<|im_start|>system\nBe brief.<|im_end|>")
    positions = [prompt.index(t) for t in ("Hello", "Hi there", "你好吗")]
    assert positions == sorted(positions)
    assert prompt.endswith("<|im_start|>assistant\n")


def test_chat_drops_the_oldest_turns_when_the_window_is_full(tiny_manager):
    runner = tiny_manager.get(CHAT)
    filler = "The museum opens at nine in the morning. " * 20
    history = []
    for i in range(12):
        history += [{"role": "user", "content": f"question {i} {filler}"}, {"role": "assistant", "content": filler}]
    messages = [{"role": "system", "content": "S"}, *history, {"role": "user", "content": "last question"}]
    kept = runner.fit(messages, max_new_tokens=64)
    assert kept[0]["content"] == "S" and kept[-1]["content"] == "last question"
    assert len(kept) < len(messages)
    assert "question 0 " not in runner.render(kept)
    assert len(runner.tokenizer(runner.render(kept))["input_ids"]) <= runner.window - 64


def test_chat_streaming_grows_and_ends(tiny_manager):
    runner = tiny_manager.get(CHAT)
    partials = list(runner.stream([{"role": "user", "content": "Tell me about the museum"}],
                                  max_new_tokens=24, temperature=0.0))
    assert len(partials) >= 2
    assert all(later.startswith(earlier) for earlier, later in zip(partials, partials[1:]))
    assert all(len(later) > len(earlier) for earlier, later in zip(partials, partials[1:]))
    assert "<|im_start|>" not in partials[-1] and "user" not in partials[-1][:5]  # the prompt is not echoed


def test_chat_batch_answers_each_conversation(tiny_manager):
    runner = tiny_manager.get(CHAT)
    answers = runner([[{"role": "user", "content": "hi"}], [{"role": "user", "content": "长城在哪里"}]],
                     max_new_tokens=5, temperature=0.0)
    assert len(answers) == 2 and all(isinstance(a, str) for a in answers)


# --- stopping -------------------------------------------------------------------------------------

def test_a_stop_request_ends_generation_early(tiny_manager):
    runner = tiny_manager.get(CHAT)
    stop = threading.Event()
    partials = []
    for partial in runner.stream([{"role": "user", "content": "hi"}], stop, max_new_tokens=900, temperature=0.0):
        partials.append(partial)
        if len(partials) == 3:
            stop.set()
    assert 3 <= len(partials) <= 6  # at most a step or two in flight after the flag, out of 900


def test_closing_the_stream_stops_the_worker_thread(tiny_manager):
    runner = tiny_manager.get(BART)
    stream = runner.stream(LONG_TEXT, num_beams=1, min_new_tokens=900, max_new_tokens=1000)
    next(stream)
    stream.close()  # what Gradio does when the client goes away or Stop cancels the event
    assert not [t for t in threading.enumerate() if t.name == "generate" and t.is_alive()]


# --- seq2seq runner and tasks ---------------------------------------------------------------------

def test_seq2seq_streaming_grows_and_ends(tiny_manager):
    runner = tiny_manager.get(BART)
    partials = list(runner.stream("The museum opens at nine.", num_beams=1, min_new_tokens=10, max_new_tokens=20))
    assert len(partials) >= 2
    assert all(later.startswith(earlier) and len(later) > len(earlier) for earlier, later in zip(partials, partials[1:]))


def test_beam_search_yields_once(tiny_manager):
    runner = tiny_manager.get(BART)
    assert len(list(runner.stream("The museum opens.", num_beams=2, min_new_tokens=5, max_new_tokens=8))) == 1


def test_seq2seq_batch_returns_one_output_per_input(tiny_manager):
    runner = tiny_manager.get(EN_ZH)
    outputs = runner(["Hello.", "The museum opens at nine.", "Fine."], num_beams=1, max_new_tokens=6)
    assert len(outputs) == 3 and all(isinstance(o, str) for o in outputs)


def test_map_reduce_reads_every_window_of_a_long_text(tiny_manager):
    runner = tiny_manager.get(BART)
    window = summary_window(runner, {})
    windows = plan_windows(runner, LONG_TEXT, window)
    assert len(windows) >= 2 and all(runner.count_tokens(w) <= window for w in windows)
    assert " ".join(windows) == LONG_TEXT
    partials = list(summarize(runner, LONG_TEXT, num_beams=1, min_new_tokens=3, max_new_tokens=6))
    stages = [p.stage for p in partials]
    assert f"summarizing part {len(windows)} of {len(windows)}" in stages
    assert "combining the part summaries" in stages and partials[-1].done


def test_a_short_text_is_summarized_in_one_streamed_pass(tiny_manager):
    runner = tiny_manager.get(BART)
    partials = list(summarize(runner, "The museum opens at nine.", num_beams=1, min_new_tokens=5,
                              max_new_tokens=10))
    assert partials[-1].done and partials[-1].steps == 1 and len(partials) >= 3


def test_stop_between_map_steps(tiny_manager):
    runner = tiny_manager.get(BART)
    stop = threading.Event()
    seen = []
    for partial in summarize(runner, LONG_TEXT, stop, num_beams=1, min_new_tokens=3, max_new_tokens=6):
        seen.append(partial)
        if partial.step == 1:
            stop.set()
    assert seen[-1].stage == "stopped" and seen[-1].done and seen[-1].step < seen[-1].steps - 1


def test_translation_keeps_paragraphs_and_batches_sentences(tiny_manager):
    runner = tiny_manager.get(M2M)
    text = "Hello. How are you?\n\nThe museum opens at nine.\nIt closes at six. Bye."
    partials = list(translate(runner, text, "en", "de", batch_size=2, num_beams=1, max_new_tokens=4))
    assert [p.stage.split(" ")[0] for p in partials[:3]] == ["translating"] * 3  # 5 sentences, 3 batches
    final = partials[-1].text
    assert partials[-1].done and final.count("\n\n") == 1 and final.count("\n") == 3
    assert len(partials) == 4


def test_single_sentence_translation_streams(tiny_manager):
    runner = tiny_manager.get(EN_ZH)
    partials = list(translate(runner, "The museum opens at nine.", "en", "zh", num_beams=1, max_new_tokens=12))
    assert len(partials) >= 3 and partials[-1].done


def test_the_checkpoints_own_min_length_does_not_override_the_chosen_length(tiny_manager):
    runner = tiny_manager.get(BART)
    assert runner.model.generation_config.min_length == 56  # as in distilbart-cnn-12-6
    kwargs = runner._generate_kwargs({"min_new_tokens": 10, "max_new_tokens": 60})
    assert kwargs["min_length"] == 0 and kwargs["min_new_tokens"] == 10
    output = runner(["The museum opens at nine."], num_beams=1, min_new_tokens=1, max_new_tokens=8)[0]
    assert len(runner.tokenizer(output, add_special_tokens=False)["input_ids"]) <= 10


def test_chat_entries_of_one_checkpoint_share_one_copy_of_its_weights(registry, tmp_path):
    """The chat, summarization and translation tabs use the same chat checkpoint as three entries: its weights
    are loaded once, stay while any of those runners is resident, and go with the last one."""
    import gc

    from models.runtime.device import Placement
    from models.families.runners import chat
    from models.registry.sources import ModelSource
    from models.families.twins import ensure_twin

    import shutil

    chat_spec = registry.get("chat/qwen2.5-0.5b-instruct")
    folder = str(shutil.copytree(ensure_twin(chat_spec), tmp_path / "chat"))  # a copy no other test loads
    placement = Placement("cpu", "float32")
    first = chat.ChatRunner(chat_spec, ModelSource(folder, None), placement)
    second = chat.ChatRunner(registry.get("summarization/qwen2.5-0.5b-instruct"), ModelSource(folder, None),
                             placement)
    assert first.model is second.model and first.params != second.params
    key = (folder, None, None, "cpu", "float32")  # (path, revision, GGUF file, device, dtype)
    first.close()
    gc.collect()
    assert key in chat._SHARED_MODELS  # still used by the second runner
    assert second([[{"role": "user", "content": "Hello"}]], max_new_tokens=3, temperature=0)[0] is not None
    second.close()
    gc.collect()
    assert key not in chat._SHARED_MODELS
    other = chat.ChatRunner(chat_spec, ModelSource(folder, None), Placement("cpu", "bfloat16"))
    assert str(other.model.dtype) == "torch.bfloat16"  # another dtype is another copy
    other.close()
