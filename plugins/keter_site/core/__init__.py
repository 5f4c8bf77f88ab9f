"""The core every plugin shares: plain functions, and one build context (`build.current()`) that holds what the
steps share while a build runs, so plugins never touch each other's module state; no signals of its own."""
