"""Knowledge-graph triples: the strict REBEL and JSON parsers, the tiny twins, and the tab's handler."""

from __future__ import annotations

import gradio as gr
import pytest

from demos.knowledge_graph import tab
from demos.ui.explain_plots import knowledge_graph_plot
from demos.knowledge_graph.logic import (Extraction, Triple, TripleFormatError, extract_triples, parse_json_triples,
                                         parse_rebel)

REBEL = "knowledge-graph/rebel-large"
CHAT = "knowledge-graph/qwen2.5-0.5b-instruct"


# --- REBEL's linearization --------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("<triplet> Punta Cana <subj> Higüey <obj> located in the administrative territorial entity",
     [("Punta Cana", "located in the administrative territorial entity", "Higüey")]),
    # several tails for one head, then a second head (the model card's example sentence)
    ("<triplet> Punta Cana <subj> Higüey <obj> located in the administrative territorial entity "
     "<subj> La Altagracia Province <obj> located in the administrative territorial entity "
     "<triplet> Higüey <subj> Dominican Republic <obj> country",
     [("Punta Cana", "located in the administrative territorial entity", "Higüey"),
      ("Punta Cana", "located in the administrative territorial entity", "La Altagracia Province"),
      ("Higüey", "country", "Dominican Republic")]),
    ("<triplet>Apple<subj>Steve Jobs<obj>founded by", [("Apple", "founded by", "Steve Jobs")]),  # no spaces
    ("  <triplet>  马云 <subj> 阿里巴巴集团 <obj> 创办  ", [("马云", "创办", "阿里巴巴集团")]),
    ("", []),
    ("   ", []),
])
def test_rebel_parser_reads_known_strings(text, expected):
    assert parse_rebel(text) == [Triple(head, relation, tail) for head, relation, tail in expected]


@pytest.mark.parametrize("text, message", [
    ("Punta Cana <triplet> A <subj> B <obj> r", "text before the first <triplet>"),
    ("no markers at all", "text before the first <triplet>"),
    ("<subj> B <obj> r", "<subj> where <triplet> was expected"),
    ("<triplet> A <obj> r", "<obj> where <subj> was expected"),
    ("<triplet> A <subj> B", "ends before the triple is complete"),
    ("<triplet> A", "ends before the triple is complete"),
    ("<triplet> A <subj> B <obj>", "empty relation"),
    ("<triplet> <subj> B <obj> r", "empty head"),
    ("<triplet> A <subj> <obj> r", "empty tail"),
    ("<triplet> A <subj> B <obj> r <obj> s", "<obj> where <subj> or <triplet> was expected"),
    ("<triplet> A <subj> B <subj> C <obj> r", "<subj> where <obj> was expected"),
    ("<triplet> A <head> B <subj> C <obj> r", "<head> where <subj> was expected"),
])
def test_rebel_parser_rejects_broken_strings(text, message):
    with pytest.raises(TripleFormatError, match=message):
        parse_rebel(text)


# --- JSON from a chat model -----------------------------------------------------------------------------

GOOD_JSON = '[{"head": "Apple", "relation": "founded by", "tail": "Steve Jobs"}, ' \
            '{"head": "马云", "relation": "创办", "tail": "阿里巴巴集团"}]'


@pytest.mark.parametrize("text", [GOOD_JSON, f"\n  {GOOD_JSON}  \n", f"```json\n{GOOD_JSON}\n```",
                                  f"```\n{GOOD_JSON}\n```"])
def test_json_parser_reads_an_array_of_triples(text):
    assert parse_json_triples(text) == [Triple("Apple", "founded by", "Steve Jobs"),
                                        Triple("马云", "创办", "阿里巴巴集团")]


def test_json_parser_accepts_no_triples():
    assert parse_json_triples("[]") == []


@pytest.mark.parametrize("text, message", [
    ("", "the answer is empty"),
    (f"Here are the triples: {GOOD_JSON}", "not valid JSON"),
    (f"{GOOD_JSON} I hope this helps.", "not valid JSON"),
    (GOOD_JSON[:-5], "not valid JSON"),
    ('{"head": "A", "relation": "r", "tail": "B"}', "expected a JSON array"),
    ('{"triples": []}', "expected a JSON array"),
    ('[["A", "r", "B"]]', "item 1 is a list"),
    ('[{"head": "A", "relation": "r"}]', r"missing \['tail'\]"),
    ('[{"head": "A", "relation": "r", "tail": "B", "confidence": 0.9}]', r"unexpected \['confidence'\]"),
    ('[{"subject": "A", "predicate": "r", "object": "B"}]', "must have exactly the keys"),
    ('[{"head": "A", "relation": "r", "tail": 3}]', "non-empty strings"),
    ('[{"head": "A", "relation": " ", "tail": "B"}]', "non-empty strings"),
    (f"```json\n{GOOD_JSON}\n```\n```json\n[]\n```", "not valid JSON"),
    ("[{'head': 'A', 'relation': 'r', 'tail': 'B'}]", "not valid JSON"),  # Python, not JSON
])
def test_json_parser_rejects_malformed_output(text, message):
    with pytest.raises(TripleFormatError, match=message):
        parse_json_triples(text)


# --- the tiny twins ---------------------------------------------------------------------------------------

def test_rebel_twin_keeps_the_markers_through_decoding(tiny_manager):
    runner = tiny_manager.get(REBEL)
    linearized = "<triplet> Punta Cana <subj> Higuey <obj> located in"
    ids = runner.tokenizer(f"<s>{linearized}</s><pad><pad>", add_special_tokens=False)["input_ids"]
    for marker in ("<triplet>", "<subj>", "<obj>"):  # each marker is one token, as in the real vocabulary
        assert runner.tokenizer.convert_tokens_to_ids(marker) in ids
    assert runner.decode(ids) == linearized
    assert parse_rebel(runner.decode(ids)) == [Triple("Punta Cana", "located in", "Higuey")]


def test_rebel_twin_output_is_parsed_or_reported(tiny_manager):
    extraction = extract_triples(tiny_manager.get(REBEL), "Apple was founded by Steve Jobs in California.")
    assert extraction.raw and extraction.tokens > 5 and extraction.window == 256
    # random weights write no valid markup (seeded, so always this path): it is reported, nothing is guessed
    assert extraction.error and extraction.triples == []


def test_chat_twin_answer_goes_through_the_strict_parser(tiny_manager):
    runner = tiny_manager.get(CHAT)
    extraction = extract_triples(runner, "马云在杭州创办了阿里巴巴集团。", max_new_tokens=16)
    try:
        expected = parse_json_triples(extraction.raw)
    except TripleFormatError as exc:
        assert extraction.error == str(exc) and extraction.triples == []
    else:
        assert extraction.error is None and extraction.triples == expected


def test_repeated_triples_are_listed_once(monkeypatch):
    class Rebel:
        kind, window = "relation-extraction", 256

        def __call__(self, texts, **params):
            return ["<triplet> A <subj> B <obj> r <triplet> A <subj> B <obj> r <subj> C <obj> r"]

        def count_tokens(self, text):
            return 3

    assert extract_triples(Rebel(), "A and B").triples == [Triple("A", "r", "B"), Triple("A", "r", "C")]


# --- the tab -----------------------------------------------------------------------------------------------

def test_tab_reports_malformed_output_without_guessing(ctx):
    table, graph, raw, status = tab.extract_knowledge_graph(ctx, "Apple was founded by Steve Jobs in California.",
                                                            REBEL)
    assert table == [] and raw and graph is not None
    assert "not in the expected format" in status and "nothing was guessed" in status


def test_tab_outcome_notes():
    good = Extraction([Triple("A", "r", "B")], "<triplet> A <subj> B <obj> r", None, tokens=300, window=256)
    assert "1 triple" in tab.outcome_note(good) and "only the beginning" in tab.outcome_note(good)
    markup = Extraction([], "F F", "text before the first <triplet>: 'F F'")
    assert "text before the first &lt;triplet&gt;: &#x27;F F&#x27;" in tab.outcome_note(markup)  # shown, not a tag
    bad = Extraction([], "oops", "not valid JSON (x)", tokens=3)
    assert "not valid JSON (x)" in tab.outcome_note(bad) and "only the beginning" not in tab.outcome_note(bad)


def test_empty_text_is_refused_and_the_next_request_works(ctx):
    with pytest.raises(gr.Error, match="Text is empty"):
        tab.extract_knowledge_graph(ctx, "   ", REBEL)
    with pytest.raises(gr.Error, match="Unknown model"):
        tab.extract_knowledge_graph(ctx, "Apple", "chat/qwen2.5-0.5b-instruct")
    assert tab.extract_knowledge_graph(ctx, "Apple was founded by Steve Jobs.", REBEL)[3]


def test_graph_drawing_has_a_node_per_entity_and_labelled_edges():
    figure = knowledge_graph_plot([("Punta Cana", "located in", "Higüey"), ("Higüey", "country", "Dominican Republic"),
                                   ("Punta Cana", "country", "Dominican Republic"), ("Punta Cana", "twinned with", "Higüey")])
    texts = {text.get_text().replace("\n", " ") for text in figure.axes[0].texts}  # long labels are wrapped
    assert {"Punta Cana", "Higüey", "Dominican Republic", "country"} <= texts
    assert "located in; twinned with" in texts  # two relations between one pair share an arrow
    empty = knowledge_graph_plot([])
    assert "no triples" in {text.get_text() for text in empty.axes[0].texts}
