"""Attention, worked by hand: results of the attention runner and the numpy arithmetic behind them.

Scaled dot-product attention for one head (Vaswani et al., 2017): ``softmax(Q K^T / sqrt(d_k)) V``. The
runner returns a layer's attention weights as the model computed them, and ``worked_row`` recomputes one row
of them from the layer's input and its query/key/value projections, so a user can follow every number.
Pure numpy: no torch, no gradio.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WorkedRow:
    """One token's attention in one head, computed step by step (float64)."""

    layer: int
    head: int
    token: int               # position of the query token
    query: np.ndarray        # (d_k,)   q = x_token W_q + b_q, this head's slice
    keys: np.ndarray         # (n, d_k) k_j for every token
    values: np.ndarray       # (n, d_k) v_j for every token
    scores: np.ndarray       # (n,)     q . k_j / sqrt(d_k)
    weights: np.ndarray      # (n,)     softmax(scores): the heatmap row
    output: np.ndarray       # (d_k,)   sum_j weights_j v_j: what this head passes on for the token

    @property
    def d_k(self) -> int:
        return int(self.query.shape[0])


@dataclass(frozen=True)
class AttentionMaps:
    tokens: list[str]        # the tokens the model read (special tokens included)
    total_tokens: int        # tokens in the whole text, before truncation
    truncated: bool          # the text was longer than ``window`` and was cut to it
    window: int              # the most tokens this tab reads
    layers: int
    heads: int
    d_k: int
    layer: int               # the layer shown
    attention: np.ndarray    # (heads, n, n) float32: the model's softmax(QK^T/sqrt(d_k)) of that layer
    worked: WorkedRow        # the chosen head and token, worked by hand


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def head_average(attention: np.ndarray) -> np.ndarray:
    """The mean of a layer's heads, (heads, n, n) -> (n, n); its rows still sum to 1."""
    return attention.mean(axis=0)


def project(hidden: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, head: int, d_k: int) -> np.ndarray:
    """One head's slice of a linear projection: (hidden @ W^T + b)[:, head*d_k:(head+1)*d_k]."""
    rows = slice(head * d_k, (head + 1) * d_k)
    out = hidden @ weight[rows].T
    return out + bias[rows] if bias is not None else out


def worked_row(hidden: np.ndarray, projections: dict, layer: int, head: int, token: int, d_k: int) -> WorkedRow:
    """Recompute one attention row from a layer's input ``hidden`` (n, d_model) and its projections
    ``{"query"|"key"|"value": (weight (d_model_out, d_model), bias or None)}``."""
    hidden = hidden.astype(np.float64)
    q_all, k_all, v_all = (project(hidden, *(p.astype(np.float64) if p is not None else None
                                              for p in projections[name]), head, d_k)
                           for name in ("query", "key", "value"))
    query = q_all[token]
    scores = k_all @ query / np.sqrt(d_k)
    weights = softmax(scores)
    return WorkedRow(layer, head, token, query, k_all, v_all, scores, weights, weights @ v_all)


def sinusoidal_encoding(positions: int, d_model: int) -> np.ndarray:
    """The Transformer's fixed positional encoding, (positions, d_model):
    PE[pos, 2i] = sin(pos / 10000^(2i/d_model)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d_model))."""
    if positions < 1 or d_model < 2:
        raise ValueError("positions must be at least 1 and d_model at least 2")
    pos = np.arange(positions, dtype=np.float64)[:, None]
    rates = 1.0 / np.power(10000.0, np.arange(0, d_model, 2, dtype=np.float64) / d_model)
    encoding = np.zeros((positions, d_model))
    encoding[:, 0::2] = np.sin(pos * rates)
    encoding[:, 1::2] = np.cos(pos * rates[: d_model // 2])
    return encoding
