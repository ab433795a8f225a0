"""The attention explorer: which tokens each head looks at, and positional encoding.

The tab is ``tab.py``."""
