"""Operator tools behind ``python -m models``: downloading checkpoints and the Spaces front matter."""
