"""What each applicant page costs on a first visit with an empty cache.

    .venv/bin/python bench/page_weight.py

The budget is 14 KB compressed per page in total (HTML, CSS, images, any script): one TCP
round trip on a slow mobile connection. The portal runs in-process on a temporary instance
(SQLite, embedded Redis); a phone-sized Chromium without JavaScript fills an application,
and every page is then loaded again in a fresh browser context (empty cache, same session).
For each page it prints and records the bytes transferred by this server (uncompressed),
and the gzip size of the same responses (what a compressing proxy in front would send).
"""

import gzip
import json
import logging
import shutil
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.embedded import embedded_app  # noqa: E402

RESULT = ROOT / "bench" / "results" / "page_weight.json"
BUDGET = 14 * 1024
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _serve(instance: Path) -> tuple[str, Any]:
    from werkzeug.serving import make_server

    app, redis_server = embedded_app(instance)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log in the figures
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", (server, redis_server)


def _weigh(browser: Any, base: str, state: dict, path: str, language: str) -> dict[str, Any]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        java_script_enabled=False,
        storage_state=state,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(base + path)
    page.wait_for_load_state("load")
    transferred = compressed = 0
    hosts = set()
    for response in responses:
        sizes = response.request.sizes()
        body = response.body()
        transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        compressed += len(gzip.compress(body, 6)) + sizes["responseHeadersSize"]
        hosts.add(response.url.split("/")[2])
    context.close()
    return {
        "page": path,
        "language": language,
        "requests": len(responses),
        "bytes": transferred,
        "gzip_bytes": compressed,
        "hosts": sorted(hosts),
    }


def _weigh_all(browser: Any, base: str, state: dict, paths: list[str]) -> list[dict[str, Any]]:
    return [
        _weigh(browser, base, state, path, language)
        for language in ("en", "fa-AF")
        for path in paths
    ]


def main() -> int:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        print("page_weight: needs Debian's chromium package")
        return 1
    instance = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    base, servers = _serve(instance)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        from tests.browser.phone import (
            DRAFT_PAGES,
            SUBMITTED_PAGES,
            Visit,
            fill_local_staff_application,
            start_application,
        )

        context = browser.new_context(java_script_enabled=False)
        visit = Visit(context.new_page(), base)
        start_application(visit)
        fill_local_staff_application(visit)  # so that every page has something to show
        rows += _weigh_all(browser, base, context.storage_state(), DRAFT_PAGES)
        visit.send()  # send the application
        rows += _weigh_all(browser, base, context.storage_state(), SUBMITTED_PAGES)
        browser.close()
    servers[0].shutdown()
    servers[1].shutdown()
    shutil.rmtree(instance, ignore_errors=True)
    print(f"{'page':<32} {'lang':<6} {'requests':>8} {'bytes':>8} {'gzip':>8}  budget {BUDGET}")
    for row in rows:
        mark = "ok" if row["gzip_bytes"] <= BUDGET else "OVER"
        print(
            f"{row['page']:<32} {row['language']:<6} {row['requests']:>8} {row['bytes']:>8} "
            f"{row['gzip_bytes']:>8}  {mark}"
        )
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(
        json.dumps(
            {
                "benchmark": "page weight, first visit, empty cache",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "budget_bytes": BUDGET,
                "largest_gzip_bytes": max(row["gzip_bytes"] for row in rows),
                "largest_uncompressed_bytes": max(row["bytes"] for row in rows),
                "pages": rows,
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if all(row["gzip_bytes"] <= BUDGET for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
