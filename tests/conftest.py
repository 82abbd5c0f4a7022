"""The suite in tiers, each with its own conftest.py loading only the fixtures it needs.

- ``unit/``: pure code (handlers, cards, masking, extraction on recorded pages):
  no process, no model, no fixture from ``tests/fixtures``.
- ``integration/``: real Redis, the WeChat API emulator, the web app, the worker.
- ``engine/``: real inference with the offline models, and the synthetic documents
  they are measured on.
- ``browser/``: the chat simulator page in a real Chromium.

Shared fixtures live in ``tests/fixtures/``, one module per real part.
"""
