"""Speech: speech recognition (audio -> text) and text to speech (text -> audio).

Ids, architectures and licenses were checked on the models' Hub pages and the transformers docs
(November 2026): openai/whisper-base (WhisperForConditionalGeneration, 80 mel bins, apache-2.0),
openai/whisper-large-v3-turbo (WhisperForConditionalGeneration, 128 mel bins, MIT),
UsefulSensors/moonshine-tiny (model_type moonshine, Wav2Vec2Processor, MIT; English only),
facebook/mms-tts-eng (VitsModel + VitsTokenizer, CC-BY-NC-4.0: non-commercial use only),
suno/bark-small (model_type bark, BarkProcessor with a BERT tokenizer and voice presets listed in its
speaker_embeddings_path.json, e.g. "v2/en_speaker_6" from the transformers docs; MIT, 13 languages).
Revisions are "main": no commit was confirmable from here.
"""

from __future__ import annotations

from models.registry.spec import ModelSpec, TinyRecipe

# voice presets seen in bark-small's speaker_embeddings_path.json and the transformers docs
BARK_VOICES = ("v2/en_speaker_6", "v2/en_speaker_8", "v2/zh_speaker_7", "v2/ja_speaker_4", "v2/pt_speaker_1",
               "v2/it_speaker_6", "v2/tr_speaker_5")
# the checkpoints' sizes (from their config.json), for the real-size random-weight twins of GPU checks
WHISPER_BASE = {"d_model": 512, "encoder_layers": 6, "decoder_layers": 6, "encoder_attention_heads": 8,
                "decoder_attention_heads": 8, "encoder_ffn_dim": 2048, "decoder_ffn_dim": 2048}
WHISPER_LARGE_V3_TURBO = {"d_model": 1280, "encoder_layers": 32, "decoder_layers": 4, "encoder_attention_heads": 20,
                          "decoder_attention_heads": 20, "encoder_ffn_dim": 5120, "decoder_ffn_dim": 5120}
WHISPER_LANGUAGES = ("multilingual (99)", "en", "zh", "de", "es", "fr", "ja", "ru", "ar", "hi", "pt")

ENTRIES = [
    # --- Speech recognition ------------------------------------------------------------------
    ModelSpec(
        key="automatic-speech-recognition/whisper-base",
        task="automatic-speech-recognition",
        checkpoint="openai/whisper-base",
        runner="speech-recognition",
        params={"chunk_seconds": 30, "batch_size": 4, "timestamps": True, "translate": True},
        tiny=TinyRecipe("whisper", {"model_type": "whisper", "multilingual": True, "num_mel_bins": 80,
                                    "real_sizes": WHISPER_BASE}),
        license="apache-2.0",
        languages=WHISPER_LANGUAGES,
        size="74M params, 290 MB",
        description="Whisper base: 99 languages, translation to English, timestamps; quick on a CPU.",
    ),
    ModelSpec(
        key="automatic-speech-recognition/whisper-large-v3-turbo",
        task="automatic-speech-recognition",
        checkpoint="openai/whisper-large-v3-turbo",
        runner="speech-recognition",
        params={"chunk_seconds": 30, "batch_size": 8, "timestamps": True, "translate": True},
        tiny=TinyRecipe("whisper", {"model_type": "whisper", "multilingual": True, "num_mel_bins": 128,
                                    "real_sizes": WHISPER_LARGE_V3_TURBO}),
        license="mit",
        languages=WHISPER_LANGUAGES,
        size="809M params, 1.6 GB",
        description="Whisper large-v3 turbo: far more accurate; use it on a GPU. "
                    "Trained for transcription: translation works less well than with the other Whispers.",
    ),
    ModelSpec(
        key="automatic-speech-recognition/moonshine-tiny",
        task="automatic-speech-recognition",
        checkpoint="UsefulSensors/moonshine-tiny",
        runner="speech-recognition",
        params={"chunk_seconds": 20, "batch_size": 4, "timestamps": False, "translate": False},
        tiny=TinyRecipe("moonshine", {"model_type": "moonshine"}),
        license="mit",
        languages=("en",),
        size="27M params",
        description="Moonshine tiny: fast English transcription (no translation, no timestamps).",
    ),
    # --- Text to speech ----------------------------------------------------------------------
    ModelSpec(
        key="text-to-speech/mms-tts-eng",
        task="text-to-speech",
        checkpoint="facebook/mms-tts-eng",
        runner="vits-tts",
        params={"max_sentence_chars": 300, "batch_size": 8, "pause_seconds": 0.25},
        tiny=TinyRecipe("vits", {"model_type": "vits", "language": "eng", "sampling_rate": 16000}),
        license="cc-by-nc-4.0 (non-commercial)",
        languages=("en",),
        size="145 MB",
        description="MMS-TTS English voice (VITS), 16 kHz. Speaks the letters of its vocabulary; other characters (digits, symbols) are dropped with a notice.",
    ),
    ModelSpec(
        key="text-to-speech/bark-small",
        task="text-to-speech",
        checkpoint="suno/bark-small",
        runner="bark-tts",
        params={"max_sentence_chars": 180, "batch_size": 4, "pause_seconds": 0.2, "speed": False,
                "voices": BARK_VOICES, "default_voice": BARK_VOICES[0]},
        tiny=TinyRecipe("bark", {"model_type": "bark", "voices": BARK_VOICES}),
        license="mit",
        languages=("en", "zh", "de", "es", "fr", "hi", "it", "ja", "ko", "pl", "pt", "ru", "tr"),
        size="1.7 GB",
        description="Bark small: expressive speech in 13 languages with voice presets, 24 kHz; "
                    "slow on a CPU, no speed control.",
    ),
]
