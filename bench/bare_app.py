"""Baseline for bench/startup.py: a bare gradio Blocks app with N empty tabs."""

import argparse

import gradio as gr

parser = argparse.ArgumentParser()
parser.add_argument("--tabs", type=int, required=True)
parser.add_argument("--port", type=int, required=True)
args = parser.parse_args()

with gr.Blocks() as demo:
    for i in range(args.tabs):
        with gr.Tab(f"Tab {i}"):
            gr.Markdown("empty")
demo.launch(server_port=args.port)
