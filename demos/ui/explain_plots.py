"""Figures for the learning tabs (matplotlib, drawn off-screen): attention heatmaps, a grid of heads, the
sinusoidal positional encoding, and a knowledge graph (laid out by networkx).

Figures are ``matplotlib.figure.Figure`` objects made without pyplot, so concurrent requests share no global
state and nothing needs closing; ``gr.Plot`` renders them. Chinese labels need a CJK font on the server (for
example Debian's ``fonts-noto-cjk``); without one matplotlib draws empty boxes, and the tables, which the
browser renders, stay readable.
"""

from __future__ import annotations

import math
import textwrap
import warnings

import numpy as np

CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS"]
_fonts: list[str] | None = None


def _font_family() -> list[str]:
    """DejaVu Sans first, then the first CJK font installed (matplotlib falls back glyph by glyph)."""
    global _fonts
    if _fonts is None:
        from matplotlib import font_manager

        installed = {font.name for font in font_manager.fontManager.ttflist}
        _fonts = ["DejaVu Sans"] + [name for name in CJK_FONTS if name in installed][:1]
    return _fonts


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def attention_heatmap(tokens: list[str], matrix: np.ndarray, title: str):
    """A (query x key) heatmap with the tokens on both axes; rows are queries and sum to 1."""
    n = len(tokens)
    side = min(12.0, max(4.5, 0.32 * n + 2))
    figure = _figure(side + 1.2, side)
    axes = figure.add_subplot()
    image = axes.imshow(matrix, cmap="viridis", vmin=0.0, vmax=max(float(matrix.max()), 1e-6))
    family = _font_family()
    size = 9 if n <= 30 else 7 if n <= 60 else 5
    labels = [f"{i} {t}" for i, t in enumerate(tokens)]
    axes.set_xticks(range(n), labels, rotation=90, fontsize=size, fontfamily=family)
    axes.set_yticks(range(n), labels, fontsize=size, fontfamily=family)
    axes.set_xlabel("key (attended to)")
    axes.set_ylabel("query (attending)")
    axes.set_title(title)
    figure.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
    return figure


def head_grid(tokens: list[str], attention: np.ndarray, layer: int):
    """One small heatmap per head of a layer, same colour scale."""
    heads = attention.shape[0]
    columns = min(heads, 4)
    rows = math.ceil(heads / columns)
    figure = _figure(2.4 * columns, 2.4 * rows + 0.4)
    figure.suptitle(f"Layer {layer}: every head ({len(tokens)} tokens, rows = queries)")
    top = float(attention.max()) or 1.0
    for head in range(heads):
        axes = figure.add_subplot(rows, columns, head + 1)
        axes.imshow(attention[head], cmap="viridis", vmin=0.0, vmax=top)
        axes.set_title(f"head {head}", fontsize=9)
        axes.set_xticks([])
        axes.set_yticks([])
    return figure


def positional_encoding_plot(encoding: np.ndarray):
    """The encoding as a (position x dimension) heatmap, and a few of its dimensions as waves."""
    positions, d_model = encoding.shape
    figure = _figure(10, 4)
    left, right = figure.subplots(1, 2, width_ratios=[3, 2])
    image = left.imshow(encoding, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, interpolation="nearest")
    left.set_xlabel("dimension i")
    left.set_ylabel("position")
    left.set_title(f"PE(position, i), d_model = {d_model}")
    figure.colorbar(image, ax=left, shrink=0.8)
    for dim in sorted({0, 2 * (d_model // 16), 2 * (d_model // 8), 2 * (d_model // 4)}):  # sine dimensions
        right.plot(range(positions), encoding[:, dim], label=f"i = {dim}")
    right.set_xlabel("position")
    right.set_title("low i: fast waves; high i: slow")
    right.legend(fontsize=8, loc="lower left", framealpha=0.8)
    return figure


def knowledge_graph_plot(triples: list[tuple[str, str, str]]):
    """Entities as nodes, relations as labelled arrows (relations between one pair share an arrow)."""
    import networkx as nx

    graph = nx.DiGraph()
    for head, relation, tail in triples:
        if graph.has_edge(head, tail):
            graph[head][tail]["label"] += f"; {relation}"
        else:
            graph.add_edge(head, tail, label=relation)
    figure = _figure(9, 6.5)
    axes = figure.add_subplot()
    axes.set_axis_off()
    if not graph:
        axes.text(0.5, 0.5, "no triples", ha="center", va="center", fontsize=14, color="gray")
        return figure
    layout = nx.spring_layout(graph, seed=0, k=1.5 / math.sqrt(graph.number_of_nodes()))
    family = _font_family()
    wrap = {node: "\n".join(textwrap.wrap(node, 18)) or node for node in graph}
    nx.draw_networkx_nodes(graph, layout, ax=axes, node_color="#cfe3ff", edgecolors="#3b6fb6", node_size=1800)
    nx.draw_networkx_labels(graph, layout, labels=wrap, ax=axes, font_size=8, font_family=family)
    nx.draw_networkx_edges(graph, layout, ax=axes, arrows=True, arrowsize=16, node_size=1800,
                           edge_color="#555555", connectionstyle="arc3,rad=0.08")
    nx.draw_networkx_edge_labels(graph, layout, ax=axes, font_size=8, font_family=family,
                                 edge_labels={edge: "\n".join(textwrap.wrap(label, 22))
                                              for edge, label in nx.get_edge_attributes(graph, "label").items()},
                                 connectionstyle="arc3,rad=0.08")
    axes.margins(0.15)
    return figure
