"""Text classification: text in, every label's probability out.

The tab is ``tab.py``."""
