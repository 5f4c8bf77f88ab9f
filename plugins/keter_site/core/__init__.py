"""The core every plugin shares. Plain functions and one problem list; no signals of its own.

Plugins use these and the documented context keys (docs/architecture.md), never each other's
module state.
"""
