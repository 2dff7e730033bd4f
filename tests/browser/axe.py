"""axe-core in Chromium: the serious and critical WCAG 2.1 A and AA violations on a page."""

from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_violations(page: Any) -> list[str]:
    results = Axe().run(page, options=WCAG)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['nodes'][0]['html'][:120]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
