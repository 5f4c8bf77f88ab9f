"""Keter Health's site: the Pelican plugins, their small shared core, and the tooling around
the build (atomic builds, preview server, signup receiver, checks, publishing).

Installed with `pip install -e .` (bin/invoke does it), so every module is imported by its one
name, `keter_site.<part>`, from pelicanconf.py, tasks.py, bench/ and tests/ alike.
- keter_site.core: what the plugins share (problem reports, the content walk, languages,
  front matter, URLs, HTML, data files). It registers on no signal.
- keter_site.<plugin>: one concern each, registered on Pelican's signals (PLUGINS in
  pelicanconf.py lists them; docs/architecture.md has the table).
- keter_site.tooling: the commands tasks.py runs.
"""
