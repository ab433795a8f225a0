"""Text handling that models and tasks share: writing scripts, splitting text, transcript text, and
language names. Pure Python."""
