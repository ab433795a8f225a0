"""The server around the tabs: access rules (login, rate limit, audit), the ASGI gateway in front of
gradio, session memory, and ZeroGPU. Never imports torch."""
