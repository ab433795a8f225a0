"""Runner kinds (model families), registered once: one record per kind, looked up by its name.

A registry entry names its kind (``ModelSpec.runner``) and, for its offline twin, a builder (``tiny.builder``);
both resolve here. A kind's record holds everything that is the family's own:

- ``runner``:  "module:Class", a class that takes (spec, source, placement) and has close(); imported on first use;
- ``twins``:   the tiny-twin builders its entries may name -> "module:function", a function that takes
               (spec, options, out_dir) and saves a random-weight model of the family there (``models.families.twins``;
               the spec as the runner is given it, ``models.registry.tasks.runner_spec``);
- ``scaling``: its default on a Ray cluster (``models.runtime.ray_config``; an entry's own ``scaling`` goes over it).
  GPUs are per replica; a fraction packs several small models onto one GPU (Ray does not isolate their memory:
  the fractions must add up to what fits). Batch sizes follow what the local backend's micro-batcher gains on
  these model sizes (bench/throughput.py);
- ``conversation``: it takes a conversation (rendered by the model's chat template) where others take the source
  text, so a task writes its request as an instruction;
- ``gguf``: it can load a llama.cpp GGUF file (``gguf_file``) through transformers.

A kind knows no task: which kinds serve a task, and how, is the task's table (``models.registry.tasks``).
Plain data: importing this loads no model code.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Mapping

from models.registry.spec import Scaling


@dataclass(frozen=True)
class Kind:
    runner: str
    twins: Mapping[str, str]
    scaling: Scaling
    conversation: bool = False
    gguf: bool = False


ENCODER_TWINS = {"encoder": "models.families.twins.encoders:build_encoder"}  # a BERT-family encoder; three kinds

KINDS: Mapping[str, Kind] = MappingProxyType({
    "pipeline": Kind(
        "models.families.runners.pipeline:PipelineRunner", ENCODER_TWINS,
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=32)),
    "extractive-qa": Kind(
        "models.families.runners.extractive_qa:ExtractiveQARunner", ENCODER_TWINS,
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=16)),
    "seq2seq": Kind(
        "models.families.runners.seq2seq:Seq2SeqRunner",
        {"bart": "models.families.twins.generation:build_bart",
         "marian": "models.families.twins.generation:build_marian",
         "m2m100": "models.families.twins.generation:build_m2m100"},
        Scaling(replicas=1, num_gpus=0.5, num_cpus=1, max_batch_size=8)),
    "chat": Kind(
        "models.families.runners.chat:ChatRunner",
        {"chat": "models.families.twins.generation:build_chat"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=4), conversation=True, gguf=True),
    "image-pipeline": Kind(
        "models.families.runners.image_pipeline:ImagePipelineRunner",
        {"vit": "models.families.twins.vision:build_vit",
         "detr": "models.families.twins.vision:build_detr",
         "rt-detr-v2": "models.families.twins.vision:build_rt_detr_v2"},
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=16)),
    "timm": Kind(
        "models.families.runners.timm_classifier:TimmRunner",
        {"timm": "models.families.twins.vision:build_timm"},
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=32)),
    "diffusers": Kind(
        "models.families.runners.diffusers_t2i:DiffusersRunner",
        {"stable-diffusion": "models.families.twins.vision:build_stable_diffusion"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=1)),
    "speech-recognition": Kind(
        "models.families.runners.speech_recognition:SpeechRecognitionRunner",
        {"whisper": "models.families.twins.speech:build_whisper",
         "moonshine": "models.families.twins.speech:build_moonshine"},
        Scaling(replicas=1, num_gpus=0.5, num_cpus=1, max_batch_size=4)),
    "vits-tts": Kind(
        "models.families.runners.text_to_speech:VitsRunner",
        {"vits": "models.families.twins.speech:build_vits"},
        Scaling(replicas=1, num_gpus=0.25, num_cpus=1, max_batch_size=4)),
    "bark-tts": Kind(
        "models.families.runners.bark_speech:BarkRunner",
        {"bark": "models.families.twins.speech:build_bark"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=2)),
    # the next three had no default of their own and took a generic one (a whole GPU, batches of 8): it is
    # written out here, unchanged
    "attention": Kind(
        "models.families.runners.attention:AttentionRunner",
        {"attention-encoder": "models.families.twins.explain:build_attention_encoder"},
        Scaling(replicas=1, num_gpus=1, num_cpus=1, max_batch_size=8)),
    "relation-extraction": Kind(
        "models.families.runners.relation_extraction:RelationExtractionRunner",
        {"rebel": "models.families.twins.explain:build_rebel"},
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
