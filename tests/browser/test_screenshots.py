"""`make screenshots`: a PNG of every applicant page on a 360 px phone, in Dari and English.

Run by the test suite into a temporary folder; `make screenshots` runs this same test with
PORTAL_SCREENSHOTS_DIR set, to keep them (screenshots/, git-ignored)."""

import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.phone import DRAFT_PAGES, SUBMITTED_PAGES
from tests.browser.screenshots import LANGUAGES, WIDTH, slug, take_screenshots


@pytest.mark.browser
def test_every_applicant_page_is_photographed_in_both_directions(
    browser: Any, live_server: str, tmp_path: Path
) -> None:
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS_DIR") or tmp_path)
    taken = take_screenshots(browser, live_server, folder)
    every_page = {slug(path) for path in DRAFT_PAGES + SUBMITTED_PAGES + ["/application/risk"]}
    for code in LANGUAGES:
        pictures = [path for path in taken if path.parent == folder / code]
        assert every_page <= {path.stem.split("-", 1)[1] for path in pictures}
        for path in pictures:
            with Image.open(path) as image:
                assert image.format == "PNG" and image.width == WIDTH and image.height > 100
                assert image.convert("L").getextrema()[0] < 128, path  # not a blank page
