"""Text to speech: a text in, a recording out.

The tab is ``tab.py``."""
