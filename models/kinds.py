"""Runner kinds (model families), registered once: one record per kind, looked up by its name.

A registry entry names its kind (``ModelSpec.runner``) and, for its offline twin, a builder (``tiny.builder``);
both resolve here. A kind's record holds everything that is the family's own:

- ``runner``:  "module:Class", a class that takes (spec, source, placement) and has close(); imported on first use;
- ``twins``:   the tiny-twin builders its entries may name -> "module:function", a function that takes
               (spec, options, out_dir) and saves a random-weight model of the family there (``models.tiny``;
               the spec as the runner is given it, ``models.tasks.runner_spec``);
- ``scaling``: its default on a Ray cluster (``models.ray_config``; an entry's own ``scaling`` goes over it).
  GPUs are per replica; a fraction packs several small models onto one GPU (Ray does not isolate their memory:
  the fractions must add up to what fits). Batch sizes follow what the local backend's micro-batcher gains on
  these model sizes (bench/throughput.py);
- ``conversation``: it takes a conversation (rendered by the model's chat template) where others take the source
  text, so a task writes its request as an instruction;
- ``gguf``: it can load a llama.cpp GGUF file (``gguf_file``) through transformers.

A kind knows no task: which kinds serve a task, and how, is the task's table (``models.tasks``).
Plain data: importing this loads no model code.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

from models.spec import Scaling


@dataclass(frozen=True)
class Kind:
    runner: str
    twins: Mapping[str, str]
    scaling: Scaling
    conversation: bool = False
    gguf: bool = False


ENCODER_TWINS = {"encoder": "models.tiny.encoders:build_encoder"}  # a BERT-family encoder; three kinds

KINDS: Mapping[str, Kind] = MappingProxyType({
    "pipeline": Kind(
        "models.runners.pipeline:PipelineRunner", ENCODER_TWINS,
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=32)),
    "extractive-qa": Kind(
        "models.runners.extractive_qa:ExtractiveQARunner", ENCODER_TWINS,
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=16)),
    "seq2seq": Kind(
        "models.runners.seq2seq:Seq2SeqRunner",
        {"bart": "models.tiny.generation:build_bart",
         "marian": "models.tiny.generation:build_marian",
         "m2m100": "models.tiny.generation:build_m2m100"},
        Scaling(replicas=1, num_gpus=0.5, num_cpus=1, max_batch_size=8)),
    "chat": Kind(
        "models.runners.chat:ChatRunner",
        {"chat": "models.tiny.generation:build_chat"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=4), conversation=True, gguf=True),
    "image-pipeline": Kind(
        "models.runners.image_pipeline:ImagePipelineRunner",
        {"vit": "models.tiny.vision:build_vit",
         "detr": "models.tiny.vision:build_detr",
         "rt-detr-v2": "models.tiny.vision:build_rt_detr_v2"},
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=16)),
    "timm": Kind(
        "models.runners.timm_classifier:TimmRunner",
        {"timm": "models.tiny.vision:build_timm"},
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=32)),
    "diffusers": Kind(
        "models.runners.diffusers_t2i:DiffusersRunner",
        {"stable-diffusion": "models.tiny.vision:build_stable_diffusion"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=1)),
    "speech-recognition": Kind(
        "models.runners.speech_recognition:SpeechRecognitionRunner",
        {"whisper": "models.tiny.speech:build_whisper",
         "moonshine": "models.tiny.speech:build_moonshine"},
        Scaling(replicas=1, num_gpus=0.5, num_cpus=1, max_batch_size=4)),
    "vits-tts": Kind(
        "models.runners.text_to_speech:VitsRunner",
        {"vits": "models.tiny.speech:build_vits"},
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=4)),
    "bark-tts": Kind(
        "models.runners.bark_speech:BarkRunner",
        {"bark": "models.tiny.speech:build_bark"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=2)),
    # the next three had no default of their own and took a generic one (a whole GPU, batches of 8): it is
    # written out here, unchanged
    "attention": Kind(
        "models.runners.attention:AttentionRunner",
        {"attention-encoder": "models.tiny.explain:build_attention_encoder"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=8)),
    "relation-extraction": Kind(
        "models.runners.relation_extraction:RelationExtractionRunner",
        {"rebel": "models.tiny.explain:build_rebel"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=8)),
    "fine-tune": Kind(
        "models.fine_tune.trainer:FineTuneBase", ENCODER_TWINS,
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=8)),
})

# every twin builder, by the name entries give it (``tiny.builder``); one name is one function in every kind
BUILDERS: Mapping[str, str] = MappingProxyType({name: target for kind in KINDS.values()
                                                for name, target in kind.twins.items()})


def kind(name: str) -> Kind:
    """The record of a runner kind; a KeyError names the kinds there are."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"runner {name!r} is not one of {sorted(KINDS)}") from None


def _resolve(target: str):
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def runner_class(name: str) -> type:
    return _resolve(kind(name).runner)


def twin_builder(name: str) -> Callable:
    """The function that builds a tiny twin with the builder ``name`` (``tiny.builder``)."""
    return _resolve(BUILDERS[name])
