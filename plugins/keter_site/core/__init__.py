"""The core every plugin shares: plain functions, and one build context (`build.current()`)
that holds what the steps share while a build runs; no signals of its own.

Plugins use these and the documented context keys (docs/architecture.md), never each other's
module state or private names.
"""
