"""The ``bark-tts`` runner: Bark (suno/bark-small) reads text in 13 languages with a chosen voice preset.

Bark chains three GPT-style models (text -> semantic tokens -> coarse -> fine audio codes) and an
Encodec decoder, sampling at each step: ``seed`` makes it repeatable; ``voice`` is one of the presets
the checkpoint ships (speaker prompts). It has no speaking-rate control. Characters its BERT tokenizer
only knows as [UNK] are removed and reported. Sentences are batched; each waveform is trimmed to its
own length (``return_output_lengths``).
"""

from __future__ import annotations

from models.families.runners.text_to_speech import SentenceSpeechRunner


class BarkRunner(SentenceSpeechRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        from transformers import AutoProcessor, BarkModel

        kwargs = source.pretrained_kwargs()
        self.processor = AutoProcessor.from_pretrained(source.path, **kwargs)
        self.model = BarkModel.from_pretrained(source.path, dtype=placement.torch_dtype, **kwargs)
        self.model = self.model.to(placement.device).eval()
        self.rate = int(self.model.generation_config.sample_rate)
        self.voices = sorted(self.processor.available_voice_presets or [])
        self.tokenizer = self.processor.tokenizer
        self._unknown: dict[str, bool] = {}

    def symbol_ok(self, ch: str) -> bool:
        if ch not in self._unknown:
            tokens = self.tokenizer.tokenize(ch)
            self._unknown[ch] = not tokens or tokens == [self.tokenizer.unk_token]
        return not self._unknown[ch]

    def describe_symbols(self) -> str:
        return "text its tokenizer knows (13 languages)"

    def synthesize_batch(self, sentences, speed, voice, params):
        voice = voice or params.get("default_voice") or None
        inputs = self.processor(sentences, voice_preset=voice, return_tensors="pt")
        inputs = {key: value.to(self.placement.device) if hasattr(value, "to") else value
                  for key, value in inputs.items()}
        generate_kwargs = {"do_sample": True}
        if params.get("max_new_tokens"):
            generate_kwargs["semantic_max_new_tokens"] = int(params["max_new_tokens"])
        audio, lengths = self.model.generate(**inputs, return_output_lengths=True, **generate_kwargs)
        audio = audio.float().cpu().numpy()
        return [wave[:length] for wave, length in zip(audio, lengths)]


# --- "Show the code" (models/code_snippets.py) -------------------------------------------------------------
# behaviour_fingerprint of the code this snippet mirrors, when it was last checked against it
SNIPPET_REVIEWED = {
    "models/families/runners/bark_speech.py": "2b1fd6dbc44cd0ec",
    "models/families/runners/text_to_speech.py": "4e88ddb87c5d2345",
    "models/text/speech_text.py": "a509f7aad8944bcb",
}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import literal
    from models.families.runners.text_to_speech import _snippet_speech

    voice = settings.get("voice") or spec.params.get("default_voice") or None
    semantic = (f", semantic_max_new_tokens={int(spec.params['max_new_tokens'])}"
                if spec.params.get("max_new_tokens") else "")
    return _snippet_speech(
        spec, settings, pip='"transformers>=5" torch soundfile',
        imports="from transformers import AutoProcessor, BarkModel",
        values=f"\nVOICE = {literal(voice)}  # a speaker preset of the checkpoint",
        load="""processor = AutoProcessor.from_pretrained(CHECKPOINT, revision=REVISION)
model = BarkModel.from_pretrained(CHECKPOINT, revision=REVISION, dtype=dtype).to(device).eval()
rate = model.generation_config.sample_rate
tokenizer = processor.tokenizer""",
        keep="tokenizer.tokenize(ch) not in ([], [tokenizer.unk_token])",
        synthesize=f"""        inputs = {{k: v.to(device) if hasattr(v, "to") else v
                  for k, v in processor(batch, voice_preset=VOICE, return_tensors="pt").items()}}
        waveforms, lengths = model.generate(**inputs, do_sample=True, return_output_lengths=True{semantic})""")
