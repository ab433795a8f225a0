"""Chat: a multi-turn conversation with a chat model, streamed.

The tab is ``tab.py``."""
