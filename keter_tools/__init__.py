"""Helpers behind tasks.py: building, serving, checking. Editors never need to open these."""
