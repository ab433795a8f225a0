"""Pieces of the UI that the tabs share: checks and the model picker, the code panel, the frame and
navigation, the Chinese text, progress, plots, and what the tabs of one area (text generation, vision, speech)
have in common. Never imports torch."""
