"""Model side of the demo suite, by concern: the registry (data: specs, the task table, the catalog), the runtime
(manager, batching, devices, budgets, the Ray backend), the families (the kinds table, runners, tiny twins,
results), fine-tuning, shared text handling, operator tools, and the settings. Never imports gradio.

Importing this package is cheap: torch and transformers load with the first model.
"""
