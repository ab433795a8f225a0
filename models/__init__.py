"""Model side of the demo suite: registry (data), manager, runners, tiny twins. Never imports gradio.

Importing this package is cheap: torch and transformers load with the first model.
"""
