"""Summarization: a long text in, a short one out, streamed (map-reduce beyond the model's window).

The tab is ``tab.py``."""
