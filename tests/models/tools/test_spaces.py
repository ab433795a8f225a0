"""The README's Hugging Face Spaces front matter matches the registry and the installed gradio."""

from __future__ import annotations

from importlib import metadata

import yaml

from demos import load_demos
from models.registry.tasks import TASKS
from models.tools import spaces
from models.registry import Registry, builtin_registry
from models.registry.spec import ModelSpec

SPACES_HARDWARE = {"cpu-basic", "cpu-upgrade", "t4-small", "t4-medium", "l4x1", "l4x4", "a10g-small",
                   "a10g-large", "a10g-largex2", "a10g-largex4", "a100-large"}


def test_readme_front_matter_is_what_the_registry_generates():
    text = spaces.README.read_text(encoding="utf-8")
    block = spaces.readme_front_matter(text)
    assert block is not None, "README.md must start with the Spaces front matter"
    assert block == spaces.front_matter(), "README is stale: run `python -m models spaces-header --write`"


def test_front_matter_has_the_spaces_keys():
    config = yaml.safe_load(spaces.front_matter().strip().strip("-"))
    assert config["sdk"] == "gradio"
    assert config["sdk_version"] == metadata.version("gradio")
    assert config["app_file"] == "app.py"
    assert config["python_version"] == "3.12"  # a string: YAML would read 3.10 as 3.1
    assert config["suggested_hardware"] in SPACES_HARDWARE
    assert len(config["short_description"]) <= 60
    assert config["license"] and config["tags"]
    registry = builtin_registry()
    defaults = {registry.default_for(demo.TASK).checkpoint for demo in load_demos()}
    assert set(config["preload_from_hub"]) == defaults


def test_every_tab_module_serves_the_task_of_its_row_and_the_tags_name_the_hub_tasks():
    for row, demo in zip(TASKS, load_demos()):
        assert (demo.NAME, demo.TASK, demo.TAB) == (row.name, row.task, row)
    assert spaces.TAGS[2:] == tuple(row.task for row in TASKS if row.hub_tag)
    assert "fine-tune" not in spaces.TAGS and "summarization" in spaces.TAGS


def test_a_registry_change_shows_as_a_stale_readme(tmp_path):
    registry = builtin_registry()
    first = registry.default_for("text-classification")
    changed = Registry([ModelSpec(key="text-classification/other", task="text-classification",
                                  checkpoint="someone/other-model", runner=first.runner, tiny=first.tiny),
                        *registry])
    readme = tmp_path / "README.md"
    readme.write_text(spaces.front_matter() + "\n# Title\n\nRun `pytest`.\n", encoding="utf-8")
    assert spaces.write_readme(readme, changed) is True
    text = readme.read_text(encoding="utf-8")
    assert "someone/other-model" in spaces.readme_front_matter(text)
    assert text.endswith("\n# Title\n\nRun `pytest`.\n")
    assert spaces.write_readme(readme, changed) is False  # idempotent


def test_front_matter_is_added_to_a_readme_without_one(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")
    spaces.write_readme(readme)
    assert spaces.readme_front_matter(readme.read_text(encoding="utf-8")) == spaces.front_matter()
