"""Image classification: a photo in, the top labels out.

The tab is ``tab.py``."""
