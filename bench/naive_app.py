"""Baseline for bench/throughput.py: the way most demo Spaces are written, a gr.Interface around a pipeline
with gradio's defaults."""

import argparse

import gradio as gr
from transformers import pipeline

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--port", type=int, required=True)
args = parser.parse_args()

classifier = pipeline("text-classification", model=args.model, device="cpu")


def classify(text: str) -> dict:
    return {d["label"]: d["score"] for d in classifier(text, top_k=None, truncation=True)}


gr.Interface(classify, gr.Textbox(), gr.Label()).launch(server_port=args.port)
