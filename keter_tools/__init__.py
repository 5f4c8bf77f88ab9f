"""The commands tasks.py runs: atomic builds, the live preview and the editor, status, medical
review, checks and publishing. Editors never need to open these; Pelican never imports them."""
