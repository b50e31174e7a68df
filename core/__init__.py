"""LLM Lab's pipelines, one package per concern (see docs/ARCHITECTURE.md). Never imports gradio."""
