"""The frame around the tabs: a navigation that groups the demos by area, a link per demo and per result, and a
phone layout that shows the output when Run is pressed.

- Navigation: the areas (Text, Vision, Audio, Learn, ``models.registry.tasks.AREAS``) with their demos as buttons. On a wide
  screen every demo is one click away; on a phone (``PHONE_MAX_PX`` wide or less) the areas are a row of buttons
  and the open area's demos a row below: two clicks at most. gradio's own tab bar is hidden; the buttons select
  its tabs, in the browser (no request to the server).
- Links: ``/?tab=NAME`` opens a demo (the address bar follows the demo shown, so it is always the demo's link);
  ``&embed=1`` shows that demo alone, without the header and navigation, for a page or a Space that embeds it.
  Share adds gradio's deep link (``&deep_link=...``), which restores the inputs and outputs of this session.
- Phone: pressing a primary button (Run, Summarize, Speak...) scrolls the output it is computing into view when
  that sits below the inputs (one column), so a streamed answer is seen as it is written.

The browser side is ``JS`` (run once when the page loads) and ``css()``; both go to ``launch``.
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr
from gradio.utils import get_icon_path

from demos.ui import i18n
from models.registry.tasks import AREAS, areas_of

PHONE_MAX_PX = 640
LINK_ICON = get_icon_path("link.svg")  # gradio's own, as on its deep-link button


def build(demos: list, build_demo: Callable) -> gr.Tabs:
    """The navigation, the share link and one tab per demo (``build_demo(demo)`` fills it), inside gr.Blocks."""
    by_name = {demo.NAME: demo for demo in demos}
    groups = areas_of(list(by_name))
    with gr.Row(elem_id="demo-nav"):
        for area, names in groups:
            with gr.Column(elem_id=f"nav-group-{area}", elem_classes=["nav-group"], min_width=0):
                gr.Button(i18n.text(f"area.{area}"), elem_id=f"nav-area-{area}", elem_classes=["nav-area"],
                          size="sm")
                with gr.Row(elem_classes=["nav-demos"]):
                    for name in names:
                        gr.Button(i18n.text(f"tab.{name}"), elem_id=f"nav-{name}", elem_classes=["nav-demo"],
                                  size="sm")
        share = gr.Button(i18n.text("nav.share"), elem_id="share-button", size="sm", icon=LINK_ICON)
    link = gr.Textbox(label=i18n.text("nav.link"), elem_id="share-link", interactive=False, buttons=["copy"])
    with gr.Tabs(elem_id="demos", overflow_behavior="wrap") as tabs:
        for _, names in groups:
            for name in names:
                with gr.Tab(i18n.text(f"tab.{name}"), id=name, elem_id=f"tab-{name}"):
                    build_demo(by_name[name])
    # in the browser only: gradio's deep link for this session, added to the demo's own link
    share.click(None, None, link, js=SHARE_JS, api_visibility="private")
    return tabs


def open_demo_js(name: str) -> str:
    """A ``js=`` for an event that takes the user to another demo and its output (e.g. "speak it back": to the
    transcript in speech recognition)."""
    return (f"() => {{ const suite = window.demoSuite; "
            f"if (suite && suite.open({name!r})) suite.showOutput('tab-{name}'); }}")


SHARE_JS = """async () => {
    const url = new URL(window.location.href);
    url.searchParams.delete("deep_link");
    if (window.demoSuite && window.demoSuite.current) url.searchParams.set("tab", window.demoSuite.current);
    try {
        const response = await fetch(`gradio_api/deep_link?session_hash=${window.__gradio_session_hash__}`);
        const key = response.ok ? (await response.text()).replace(/^"|"$/g, "") : "";
        if (key) url.searchParams.set("deep_link", key);  // empty before the session has run anything
    } catch (error) {
        console.warn("no deep link for this session:", error);
    }
    document.body.dataset.shared = "1";
    const link = url.toString();
    if (navigator.clipboard) navigator.clipboard.writeText(link).catch(() => {});
    return link;
}"""

JS = """() => {
    const PHONE_MAX_PX = %(phone)d;
    const DEMO_PANEL = "[role=tabpanel][id^='tab-']";  // a demo's tab (its own tabs inside have no such id)
    const params = new URLSearchParams(window.location.search);
    if (params.has("embed")) document.body.dataset.embed = "1";
    const byId = (id) => document.getElementById(id);
    const suite = window.demoSuite = {
        current: null,
        // show a demo: its tab, its button marked, its area open (phone), the address bar its link
        open(name, {address = true} = {}) {
            const tab = byId(`tab-${name}-button`), button = byId(`nav-${name}`);
            if (!tab || !button) return false;
            tab.click();
            suite.current = name;
            for (const other of document.querySelectorAll("#demo-nav .nav-demo[aria-current]")) {
                other.removeAttribute("aria-current");
            }
            button.setAttribute("aria-current", "page");
            const group = button.closest(".nav-group");
            if (group) suite.openArea(group.id.replace(/^nav-group-/, ""));
            if (address) {
                const url = new URL(window.location.href);
                if (url.searchParams.get("tab") !== name) {
                    url.searchParams.set("tab", name);
                    window.history.replaceState(window.history.state, "", url);
                }
            }
            return true;
        },
        // on a phone: the row of an area's demos
        openArea(area) {
            const nav = byId("demo-nav");
            if (!nav) return;
            nav.dataset.open = area;
            for (const button of nav.querySelectorAll(".nav-area")) {
                button.setAttribute("aria-expanded", String(button.id === `nav-area-${area}`));
            }
        },
        // on one column (a phone): bring the output of a tab's running event into view (gradio marks it pending
        // or lays its progress over it): the first below the pressed button, outside its column (a chat's answer
        // is above its box)
        showOutput(panelId, button = null) {
            if (window.innerWidth > PHONE_MAX_PX) return;
            const column = button && button.closest(".column");
            const below = button ? button.getBoundingClientRect().bottom - 1 : -Infinity;
            const started = performance.now();
            const look = () => {  // a tab just opened is drawn a moment later
                const panel = byId(panelId);
                const output = panel && [...panel.querySelectorAll(".pending, .generating, .wrap.full:not(.hide)")]
                    .map((element) => element.closest(".block") || element)
                    .find((element) => element.offsetParent && !(column && column.contains(element))
                                       && element.getBoundingClientRect().top >= below);
                if (output) output.scrollIntoView({block: "start", behavior: "smooth"});
                else if (performance.now() - started < 5000) window.requestAnimationFrame(look);
            };
            window.requestAnimationFrame(look);
        },
    };
    document.addEventListener("click", (event) => {
        const target = event.target instanceof Element ? event.target : null;
        const demo = target && target.closest("#demo-nav .nav-demo");
        const area = target && target.closest("#demo-nav .nav-area");
        const run = target && target.closest(`${DEMO_PANEL} button.primary`);
        if (demo) suite.open(demo.id.replace(/^nav-/, ""));
        else if (area) suite.openArea(area.id.replace(/^nav-area-/, ""));
        else if (run) suite.showOutput(run.closest(DEMO_PANEL).id, run);
    });
    // the demo named by the address (?tab=NAME) once its tab is on the page; else the first one, marked
    const wanted = params.get("tab");
    const started = performance.now();
    const start = () => {
        const first = document.querySelector("#demo-nav .nav-demo");
        const name = wanted && byId(`nav-${wanted}`) ? wanted : first && first.id.replace(/^nav-/, "");
        if (name && byId(`tab-${name}-button`)) suite.open(name, {address: name === wanted});
        else if (performance.now() - started < 20000) window.requestAnimationFrame(start);
    };
    start();
}""" % {"phone": PHONE_MAX_PX}


def css() -> str:
    """The navigation (a row of areas on a wide screen, two rows of buttons on a phone), the hidden tab bar, and
    the label of a matplotlib figure above it (gradio lays it over the figure's title)."""
    open_area = ",\n".join(f'  #demo-nav[data-open="{area}"] #nav-group-{area} .nav-demos' for area in AREAS)
    return """
#demos > .tab-wrapper { display: none; }
#demo-nav { flex-wrap: nowrap; align-items: flex-start; gap: var(--spacing-xl); }
#demo-nav .nav-group { flex: 1 1 auto; min-width: 0; gap: var(--spacing-sm); }
#demo-nav .nav-demos { flex-wrap: wrap; gap: var(--spacing-sm); }
#demo-nav button { flex: 0 0 auto; width: auto; min-width: 0; }
#demo-nav .nav-area { pointer-events: none; justify-content: flex-start; padding: 0; border: none;
  background: none; box-shadow: none; font-weight: 600; color: var(--body-text-color-subdued); }
#demo-nav .nav-demo[aria-current="page"] { border-color: var(--color-accent); color: var(--color-accent);
  background: var(--color-accent-soft); }
#share-button { align-self: flex-end; }
#share-button img { width: 1em; height: 1em; }
body:not([data-shared]) #share-link { display: none; }
.block:has([data-testid="matplotlib"]) label[data-testid="block-label"].float { position: static; }
body[data-embed] #suite-header, body[data-embed] #demo-nav { display: none; }
@media (max-width: %(phone)dpx) {
  #demo-nav { flex-wrap: wrap; gap: var(--spacing-sm); }
  #demo-nav .nav-group { display: contents; }
  #demo-nav .nav-area { pointer-events: auto; flex: 1 1 0; justify-content: center; padding: var(--spacing-sm);
    border: 1px solid var(--border-color-primary); background: var(--button-secondary-background-fill);
    color: var(--body-text-color); }
  #demo-nav .nav-area[aria-expanded="true"] { border-color: var(--color-accent); color: var(--color-accent); }
  #demo-nav .nav-demos { order: 1; flex: 0 0 100%%; display: none; }
  #demo-nav:not([data-open]) .nav-group:first-child .nav-demos,
%(open_area)s { display: flex; }
}
""" % {"phone": PHONE_MAX_PX, "open_area": open_area}
