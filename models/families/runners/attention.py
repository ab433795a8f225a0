"""The ``attention`` runner: an encoder's attention weights for one text, and one row of them worked by hand.

Loads the bare encoder (``AutoModel``), in float32, with ``attn_implementation="eager"``: the fused SDPA and flash kernels
never materialise the attention matrix, so only eager attention can return it (``output_attentions``). A
forward pre-hook on the chosen layer's query projection captures that layer's input, from which
``models.families.attention.worked_row`` recomputes q, k, v, the scores, the softmax and the weighted sum in numpy.
Per-call parameters: ``layer``, ``head`` (for the worked row) and ``token`` (its position).
"""

from __future__ import annotations

from models.families.attention import AttentionMaps, worked_row
from models.runtime.errors import InputError
from models.families.runners.base import BaseRunner

# attribute names of (query, key, value) projections in the encoders we know: BERT/RoBERTa/XLM-R, DistilBERT
PROJECTION_NAMES = (("query", "key", "value"), ("q_lin", "k_lin", "v_lin"))


def attention_projections(model) -> list[tuple]:
    """One (query, key, value) triple of nn.Linear per layer, in layer order."""
    import torch

    found = []
    for module in model.modules():
        for names in PROJECTION_NAMES:
            linears = [getattr(module, name, None) for name in names]
            if all(isinstance(linear, torch.nn.Linear) for linear in linears):
                found.append(tuple(linears))
    return found


class AttentionRunner(BaseRunner):
    def __init__(self, spec, source, placement):
        super().__init__(spec, source, placement)
        import torch
        from transformers import AutoModel, AutoTokenizer

        kwargs = source.pretrained_kwargs()
        self.tokenizer = AutoTokenizer.from_pretrained(source.path, **kwargs)
        # float32 whatever the placement: in bf16 the model's own weights would differ from the worked numbers in
        # the third digit, and these encoders are small (bert-base: 440 MB in float32)
        self.model = self.prepare(AutoModel.from_pretrained(
            source.path, dtype=torch.float32, attn_implementation="eager", **kwargs).to(placement.device))
        self.projections = attention_projections(self.model)
        if not self.projections:
            raise ValueError(f"{source.path}: no query/key/value projections found; the attention explorer "
                             "serves BERT-style encoders")
        positions = getattr(self.model.config, "max_position_embeddings", None) or 512
        self.window = min(self.tokenizer.model_max_length, positions, int(self.params.get("max_tokens", 512)))

    def __call__(self, texts: list[str], layer: int = 0, head: int = 0, token: int = 0, **overrides):
        return [self.explain(text, int(layer), int(head), int(token)) for text in texts]

    def explain(self, text: str, layer: int, head: int, token: int) -> AttentionMaps:
        import torch

        layers = len(self.projections)
        if not 0 <= layer < layers:
            raise InputError(f"layer {layer} does not exist: this model has {layers} layers, 0 to {layers - 1}")
        total = len(self.tokenizer(text, truncation=False)["input_ids"])
        encoded = self.tokenizer(text, return_tensors="pt", truncation=True, max_length=self.window)
        ids = encoded["input_ids"]
        if not 0 <= token < ids.shape[1]:
            raise InputError(f"token {token} does not exist: the text has {ids.shape[1]} tokens, 0 to "
                             f"{ids.shape[1] - 1}")
        captured = {}

        def keep_input(module, args) -> None:  # returns None: the model's input is left as it is
            captured["x"] = args[0]

        query_linear = self.projections[layer][0]
        hook = query_linear.register_forward_pre_hook(keep_input)
        try:
            with torch.inference_mode():
                output = self.model(**{k: v.to(self.placement.device) for k, v in encoded.items()},
                                    output_attentions=True)
        finally:
            hook.remove()
        attention = output.attentions[layer][0].float().cpu().numpy()  # (heads, n, n)
        heads = attention.shape[0]
        if not 0 <= head < heads:
            raise InputError(f"head {head} does not exist: this model has {heads} heads per layer, 0 to {heads - 1}")
        d_k = query_linear.out_features // heads
        projections = {name: (linear.weight.detach().float().cpu().numpy(),
                              None if linear.bias is None else linear.bias.detach().float().cpu().numpy())
                       for name, linear in zip(("query", "key", "value"), self.projections[layer])}
        hidden = captured["x"][0].detach().float().cpu().numpy()
        return AttentionMaps(
            tokens=self.tokenizer.convert_ids_to_tokens(ids[0].tolist()), total_tokens=total,
            truncated=total > self.window, window=self.window, layers=layers, heads=heads, d_k=d_k, layer=layer,
            attention=attention, worked=worked_row(hidden, projections, layer, head, token, d_k))


# --- "Show the code" ----------------------------------------------------------------------------------------

SNIPPET_REVIEWED = {"models/families/runners/attention.py": "05f503e7c7c89441"}


def code_snippet(spec, settings: dict, use) -> str:
    from models.code_snippets import checkpoint_lines, header, literal, text_literal

    head = settings.get("head")
    max_tokens = int(spec.params.get("max_tokens", 512))
    return f"""{header('"transformers>=5" torch', spec, "The attention weights of a sentence")}
import torch
from transformers import AutoModel, AutoTokenizer

{checkpoint_lines(spec)}
TEXT = {text_literal(settings, "text")}
LAYER, HEAD, TOKEN = {int(settings.get("layer") or 0)}, {literal(None if head is None else int(head))}, \\
    {int(settings.get("token") or 0)}  # HEAD None: the average of the layer's heads

tokenizer = AutoTokenizer.from_pretrained(CHECKPOINT, revision=REVISION)
# eager attention: the fused SDPA kernels never form the attention matrix, so they cannot return it
model = AutoModel.from_pretrained(CHECKPOINT, revision=REVISION, dtype=torch.float32,
                                  attn_implementation="eager").eval()
window = min(tokenizer.model_max_length, model.config.max_position_embeddings, {max_tokens})
inputs = tokenizer(TEXT, return_tensors="pt", truncation=True, max_length=window)
with torch.inference_mode():
    output = model(**inputs, output_attentions=True)
weights = output.attentions[LAYER][0]  # (heads, tokens, tokens): softmax(Q K^T / sqrt(d_k)) of each head
matrix = weights.mean(dim=0) if HEAD is None else weights[HEAD]
tokens = tokenizer.convert_ids_to_tokens(inputs["input_ids"][0].tolist())
row = matrix[TOKEN].tolist()  # how much TOKEN attends to every token; the row sums to 1
print(f"layer {{LAYER}}, {{'average of heads' if HEAD is None else f'head {{HEAD}}'}}: {{tokens[TOKEN]}} attends to")
for token, weight in sorted(zip(tokens, row), key=lambda pair: -pair[1])[:8]:
    print(f"  {{token:>12}} {{weight:.3f}}")
"""
