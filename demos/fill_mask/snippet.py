"""The Code panel's script for this tab: transformers' fill-mask pipeline, as the tab runs it (the task table names
this template: ``Use(snippet="demos.fill_mask.snippet:code_snippet")``)."""

from __future__ import annotations

# behaviour_fingerprint of the code this template mirrors (the pipeline kind's "output" mode, and how the tab reads
# the guesses), when it was last checked against it (tests/models/test_code_snippets.py)
SNIPPET_REVIEWED = {
    "models/families/runners/pipeline.py": "a77d03d7f9a362da",
    "demos/fill_mask/logic.py": "a5e2bbaba96d4168",
}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import DEVICE_LINES, checkpoint_lines, cpu_int8_lines, header, literal, text_literal

    top_k = int(settings.get("top_k") or 5)
    return f"""{header('"transformers>=5" torch', spec, "Fill in the blank")}
import torch
from transformers import pipeline

{checkpoint_lines(spec)}
TEXT = {text_literal(settings, "text")}  # [MASK] where a word is missing

{DEVICE_LINES}
fill = pipeline({literal(use.pipeline_task)}, model=CHECKPOINT, revision=REVISION, device=device, dtype=dtype)
{cpu_int8_lines("fill.model")}
blanks = fill(TEXT, top_k={top_k})
if blanks and isinstance(blanks[0], dict):  # one blank gives its guesses; several give a list per blank
    blanks = [blanks]
for number, guesses in enumerate(blanks, 1):
    for guess in guesses:  # best first, with the probability the model gives it
        print(f"blank {{number}}: {{guess['token_str']}} {{guess['score']:.4f}}")
"""
