"""The task table (models/registry/tasks.py) is the one list of tabs: every other list derives from it."""

from __future__ import annotations

import pytest

import app
from demos import load_demos
from models.registry import builtin_registry
from models.registry.tasks import AREAS, NAMES, TASKS, task_named, task_of_module


def test_each_tab_has_one_name_one_task_and_an_area_and_every_task_has_models():
    assert len(set(NAMES)) == len(TASKS) and len({row.task for row in TASKS}) == len(TASKS)
    assert len({row.module for row in TASKS}) == len(TASKS)
    registry = builtin_registry()
    for row in TASKS:
        assert row.area in AREAS and row.title and row.title_zh
        assert registry.for_task(row.task), f"{row.name}: no registry entry serves task {row.task!r}"


def test_a_tab_module_finds_its_own_row_and_the_app_offers_every_row():
    for row, demo in zip(TASKS, load_demos()):
        assert demo.__name__ == row.module and task_of_module(demo.__name__) is row
        assert demo.TAB is row and demo.NAME == row.name and demo.TASK == row.task
    assert app.parse_args([]).demos == NAMES  # --demos defaults to every row, in the table's order


def test_an_unknown_tab_is_refused_with_the_names_there_are(capsys):
    with pytest.raises(ValueError, match="choose from text-classification, ner"):
        task_named("nope")
    with pytest.raises(SystemExit):
        app.parse_args(["--demos", "qa,nope"])
    assert "unknown ['nope']" in capsys.readouterr().err
