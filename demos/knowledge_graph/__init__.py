"""Knowledge graph: (head, relation, tail) triples extracted from a text, drawn as a graph.

The tab is ``tab.py``."""
