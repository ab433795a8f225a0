"""The demos grouped by area (models.registry.tasks.AREAS, demos/ui/layout.py): every tab in one area, in both languages, and only
the areas of the tabs an app shows. The browser side (clicks, links, a phone) is in tests/app/test_browser_person.py."""

from __future__ import annotations

from demos.ui import i18n
from models.registry.tasks import AREAS, NAMES, TASKS, areas_of


def test_every_tab_is_in_one_known_area_and_the_areas_keep_the_tables_order():
    assert {row.area for row in TASKS} == set(AREAS)
    listed = [name for _, names in areas_of(NAMES) for name in names]
    assert listed == list(NAMES)  # the navigation shows the tabs in the table's order


def test_every_area_is_named_in_both_languages():
    for area in AREAS:
        english, chinese = i18n.EN[f"area.{area}"], i18n.ZH[f"area.{area}"]
        assert english and chinese and english != chinese


def test_areas_of_a_subset_keep_their_order_and_leave_out_empty_ones():
    assert areas_of(["tts", "qa", "asr"]) == [("text", ["qa"]), ("audio", ["asr", "tts"])]
    assert areas_of([]) == []


def test_an_app_with_some_tabs_shows_their_areas_and_buttons_only(tiny_manager):
    import app

    blocks = app.build_app(app.parse_args(["--profile", "tiny", "--demos", "tts,qa,asr"]), tiny_manager)
    ids = {getattr(block, "elem_id", None) for block in blocks.blocks.values()} - {None}
    assert sorted(i for i in ids if i.startswith("nav-area-")) == ["nav-area-audio", "nav-area-text"]
    assert sorted(i for i in ids if i.startswith("nav-") and not i.startswith(("nav-area-", "nav-group-"))) == [
        "nav-asr", "nav-qa", "nav-tts"]
    tabs = [block for block in blocks.blocks.values() if type(block).__name__ == "Tab"]
    assert [tab.id for tab in tabs] == ["qa", "asr", "tts"]  # by area, each with its own link (?tab=NAME)
    assert {f"tab-{tab.id}" for tab in tabs} <= ids
    # the navigation and the share link run in the browser: no endpoint for anyone to call
    assert all(fn.fn is not None or fn.api_visibility == "private" for fn in blocks.fns.values())
