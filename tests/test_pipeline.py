"""One pipeline: each build has its own context, and what happens once every document is read is
one ordered list, run by one receiver (keter_site.pipeline)."""

import importlib
import weakref

from pelican import signals

from keter_site import pipeline
from keter_site.core import build as build_context
from keter_tools.build import build
from tests.support.sites import FixtureSite, page_text


def _receivers(signal):
    found = []
    for ref in signal.receivers.values():
        receiver = ref() if isinstance(ref, weakref.ref) else ref
        if receiver is not None:
            found.append(f"{receiver.__module__}.{receiver.__name__}")
    return found


def test_one_receiver_runs_the_steps_once_everything_is_read(tmp_path):
    fixture = FixtureSite(tmp_path / "site")
    result = build(str(fixture.settings_file()), tmp_path / "output", use_cache=False)
    assert result.ok, result.message
    ours = [name for name in _receivers(signals.all_generators_finalized) if name.startswith("keter_site.")]
    assert ours == ["keter_site.pipeline._after_reading"]
    for step in pipeline.AFTER_READING:
        assert callable(importlib.import_module(f"keter_site.{step}").after_reading), step


def test_the_build_context_holds_the_services_and_the_settings_stay_settings(tmp_path):
    fixture = FixtureSite(tmp_path / "site")
    result = build(str(fixture.settings_file()), tmp_path / "output", use_cache=False)
    assert result.ok, result.message
    context = build_context.current()
    assert not {"TRANSLATE", "CLINIC", "REFERENCES"} & set(context.settings)
    assert context.facts["phone"] and context.translate("nav.menu", "en") == "Menu"
    assert context.references and "css/site.css" in context.assets
    assert context.problems.problems == []


def test_a_new_build_starts_with_no_problem_of_the_last(tmp_path):
    fixture = FixtureSite(tmp_path / "site")
    broken = fixture.write_page("en", "broken", page_text("broken", "xx"))
    bad = build(str(fixture.settings_file()), tmp_path / "output", use_cache=False)
    assert not bad.ok and "unknown language 'xx'" in bad.message
    broken.unlink()
    good = build(str(fixture.settings_file()), tmp_path / "output", use_cache=False)
    assert good.ok, good.message
