"""--mcp serves every tab as a described MCP tool (gradio's MCP server, from the endpoints' docstrings)."""

from __future__ import annotations

import httpx
import pytest

import app
from tests.server import running_app

pytest.importorskip("mcp", reason="gradio[mcp] (requirements.txt) provides the MCP server")

# the API endpoint of each tab (README "Use it from a program"), with the parameters a tool must take
TOOLS = {
    "classify_text": {"text", "model"},
    "find_named_entities": {"text", "model"},
    "answer_question": {"context", "question", "model"},
    "summarize": {"text", "file", "model"},
    "translate": {"text", "source", "target", "model"},
    "chat": {"message", "history", "system_prompt", "model", "temperature", "top_p", "max_new_tokens"},
    "classify_image": {"image", "model", "top_k"},
    "detect_objects": {"image", "model", "threshold"},
    "generate_images": {"prompt", "negative_prompt", "model", "steps", "guidance", "seed", "width", "height"},
    "transcribe_audio": {"audio", "model", "language", "task"},
    "synthesize_speech": {"text", "model", "speed", "seed"},
    "explain_attention": {"text", "model", "layer", "head", "token"},
    "positional_encoding": {"positions", "d_model"},  # the attention tab's second tool (no model)
    "fill_mask": {"text", "model", "top_k"},
    "extract_knowledge_graph": {"text", "model"},
    "read_columns": {"file"},
    "fine_tune": {"file", "text_column", "label_column", "use_sample", "base_model", "epochs", "learning_rate",
                  "batch_size", "validation_share", "model_name"},
}


def test_mcp_flag_and_environment():
    assert app.parse_args(["--mcp"]).mcp is True
    assert app.parse_args([]).mcp is False


def test_mcp_schema_lists_one_described_tool_per_tab(suite_url):
    tools = httpx.get(suite_url + "gradio_api/mcp/schema", timeout=30).json()
    by_endpoint = {tool["meta"]["endpoint_name"]: tool for tool in tools}
    assert len(tools) == len(by_endpoint) == len(TOOLS)
    assert set(by_endpoint) == set(TOOLS)
    for endpoint, params in TOOLS.items():
        tool = by_endpoint[endpoint]
        properties = tool["inputSchema"]["properties"]
        assert params <= set(properties), (endpoint, sorted(properties))
        assert "Returns" in tool["description"], endpoint  # from the docstring's Returns section
        undescribed = [name for name, schema in properties.items() if not schema.get("description")]
        assert not undescribed, (endpoint, undescribed)
    assert by_endpoint["classify_text"]["inputSchema"]["required"] == ["text"]
    assert "text-classification/distilbert-sst2" in by_endpoint["classify_text"]["inputSchema"]["properties"][
        "model"]["enum"]


def test_without_the_flag_there_is_no_mcp_server():
    with running_app("--demos", "text-classification") as url:
        assert httpx.get(url + "gradio_api/mcp/schema", timeout=30).status_code == 404
