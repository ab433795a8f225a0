"""Image generation: a prompt in, images out, with previews as they form.

The tab is ``tab.py``."""
