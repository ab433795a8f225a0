"""Fine-tuning an encoder for text classification on a user's data, on the server, in the background.

- ``dataset``: read a CSV/TSV upload, pick columns, clean (counted), split (pure Python).
- ``sample``: the built-in sample set (English and Chinese, three topics).
- ``trainer``: the base-encoder runner and its training loop (torch).
- ``metrics``: accuracy, macro-F1, confusion matrix.
- ``job``: one training at a time per server, in a thread, with progress reports and a stop flag.
- ``store``: fine-tuned models saved under the data folder, as registry entries and zip archives.
"""
