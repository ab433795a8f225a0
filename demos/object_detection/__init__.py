"""Object detection: boxes with labels and scores drawn on the photo.

The tab is ``tab.py``."""
