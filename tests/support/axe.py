"""axe-core in real Chromium, as every accessibility test runs it: the script from node_modules,
the WCAG 2.1 A and AA rules (or the named rules), and a report that names each violation with
the elements it was found on."""

from tests.support.sites import ROOT

SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EVERY_RULE = {"type": "tag", "values": WCAG_TAGS}
# The rules that ran (passed or not) and the violations, each with its elements.
_RUN = """(only) => axe.run(document, {runOnly: only, resultTypes: ['violations']})
  .then((r) => ({applied: r.passes.concat(r.violations).map((v) => v.id), violations: r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary}))}))}))"""


def run(page, rules=EVERY_RULE):
    """axe on the page as it is now ({"applied": [rule ids], "violations": [...]}); the page must
    have the script (page.add_script_tag or add_init_script with SCRIPT)."""
    return page.evaluate(_RUN, rules)


def report(where, violations):
    lines = [f"{len(violations)} axe violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {' '.join(node['summary'].split())}")
    return "\n".join(lines)
