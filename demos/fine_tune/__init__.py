"""Fine-tune a classifier: train a text classifier on the user's CSV; it joins text classification.

The tab is ``tab.py``."""
