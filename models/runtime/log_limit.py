"""Every log line bounded: a user's value that reaches a log call (an error's text, a model id, a file name) is
cut, so a 20 MB input cannot add 20 MB to the server's log, however many times it is sent.

``install(max_chars)`` wraps the process's log-record factory, so it covers every logger (ours, gradio's,
uvicorn's) whatever handler writes it: the message, formatted with its arguments, and the text of an attached
exception (its traceback) are each cut to ``max_chars``, saying how much was cut.
"""

from __future__ import annotations

import logging

DEFAULT_MAX_CHARS = 2000

_installed: dict = {}


def cut(text: str, max_chars: int) -> str:
    """``text`` if short enough, else its start and its end (where a traceback names the error) around a note."""
    if len(text) <= max_chars:
        return text
    head, tail = max_chars // 2, max_chars - max_chars // 2
    return f"{text[:head]}… [{len(text) - max_chars:,} characters cut] …{text[-tail:]}"


def install(max_chars: int = DEFAULT_MAX_CHARS) -> None:
    """Bound every log record created from now on (idempotent; a second call changes the limit)."""
    _installed["max_chars"] = max_chars
    if "factory" in _installed:
        return
    previous = logging.getLogRecordFactory()
    formatter = logging.Formatter()

    def bounded(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        limit = _installed["max_chars"]
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to the handler to report, as logging does
            return record
        if len(message) > limit:
            record.msg, record.args = cut(message, limit), None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = cut(formatter.formatException(record.exc_info), limit)
        return record

    _installed["factory"] = bounded
    logging.setLogRecordFactory(bounded)
