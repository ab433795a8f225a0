"""Runner kinds: how an entry loads and runs. Resolved lazily so that importing this loads nothing heavy."""

from __future__ import annotations

import importlib

# runner name -> "module:Class"; a class takes (spec, source, placement) and has close()
RUNNERS = {
    "pipeline": "models.runners.pipeline:PipelineRunner",
    "extractive-qa": "models.runners.extractive_qa:ExtractiveQARunner",
    "seq2seq": "models.runners.seq2seq:Seq2SeqRunner",
    "chat": "models.runners.chat:ChatRunner",
    "image-pipeline": "models.runners.image_pipeline:ImagePipelineRunner",
    "timm": "models.runners.timm_classifier:TimmRunner",
    "diffusers": "models.runners.diffusers_t2i:DiffusersRunner",
    "speech-recognition": "models.runners.speech_recognition:SpeechRecognitionRunner",
    "vits-tts": "models.runners.text_to_speech:VitsRunner",
    "bark-tts": "models.runners.bark_speech:BarkRunner",
    "attention": "models.runners.attention:AttentionRunner",
    "relation-extraction": "models.runners.relation_extraction:RelationExtractionRunner",
    "fine-tune": "models.fine_tune.trainer:FineTuneBase",
}


def runner_class(name: str):
    module_name, _, class_name = RUNNERS[name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
