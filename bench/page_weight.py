"""What each applicant page costs on a first visit, through nginx, in Chromium.

    .venv/bin/python bench/page_weight.py                 # the benchmark (make bench)
    .venv/bin/python bench/page_weight.py --public URL    # the budget only, against a
                                                          # running stack (deploy/test/run.sh)

Budget: every applicant page at most 14 KB transferred on a first visit with an empty cache
(HTML, CSS, images, everything: one TCP round trip's worth on a slow mobile connection), and
at most 8 KB at the median. Exits non-zero if either is missed.

The portal is served the production way: deploy/test/stack.sh starts the public face under
gunicorn behind nginx with the production server settings (deploy/nginx/public-server.conf:
its compression, its precompressed static files) over TLS on loopback. A phone-sized
Chromium without JavaScript fills an application through every applicant page; then every
page is loaded again in a fresh browser context (empty cache, the same session), in English
and in Dari, and what Chromium received for it is added up as it counts it on the wire
(Network.loadingFinished's encodedDataLength: compressed bodies and their headers). Pages
that only a form's answer shows (the start page, the receipt with the access code, a form
sent with mistakes) are weighed as that answer arrives, the cache emptied first.

The reference, measured in the same run: the same form page (the birth page with its error
summary: the same fields, labels, hints, messages and texts, read from the portal's page)
built with GOV.UK Frontend's page template, components and default bundle from its npm
package (GOVUK_FRONTEND below), served by the same nginx with the same server settings
(compression, precompressed static files), weighed the same way; and once more with
JavaScript on, as most phones would fetch it. Figures go to bench/results/page_weight.json.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULT = ROOT / "bench" / "results" / "page_weight.json"
RENDERER = ROOT / "bench" / "govuk_reference" / "render.js"
BUDGET_LARGEST = 14 * 1024
BUDGET_MEDIAN = 8 * 1024
GOVUK_FRONTEND = "6.6.0"
NUNJUCKS = "3.2.4"  # renders GOV.UK Frontend's own macros
LANGUAGES = ("en", "fa-AF")
# The stack this benchmark starts (bench/page_weight.py without --public); STACK_* in the
# environment override these.
STACK_SETTINGS = {
    "STACK_DB": "weight_page",
    "STACK_REDIS_URL": "redis://127.0.0.1:6379/10",
    # Roles are the server's, not the database's: a deployment test running at the same
    # time keeps its own (portal_*).
    "STACK_ROLE_PREFIX": "weight",
}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "ignore_https_errors": True,  # the stack's certificate is made for the run
}


@dataclass
class Transfer:
    """One response as Chromium received it."""

    url: str
    kind: str
    status: int = 0
    encoding: str = ""
    bytes: int | None = None  # encodedDataLength: on the wire, headers included

    def row(self) -> dict[str, Any]:
        parts = urlsplit(self.url)
        return {
            "path": parts.path,
            "type": self.kind,
            "status": self.status,
            "encoding": self.encoding or "identity",
            "bytes": self.bytes or 0,
        }


@dataclass
class Wire:
    """What a page's network traffic weighs, from Chromium's own accounting (DevTools)."""

    page: Any
    transfers: dict[str, Transfer] = field(default_factory=dict)
    redirects: list[Transfer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)

    def record(self) -> None:
        """Forget what went before; from now on nothing comes from the cache."""
        self.cdp.send("Network.clearBrowserCache")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.transfers.clear()
        self.redirects.clear()

    def _sent(self, event: dict[str, Any]) -> None:
        earlier = self.transfers.get(event["requestId"])
        redirect = event.get("redirectResponse")
        if earlier is not None and redirect is not None:
            earlier.status = redirect["status"]
            earlier.bytes = int(redirect.get("encodedDataLength", 0))
            self.redirects.append(earlier)
        self.transfers[event["requestId"]] = Transfer(
            event["request"]["url"], event.get("type", "Other")
        )

    def _received(self, event: dict[str, Any]) -> None:
        transfer = self.transfers.get(event["requestId"])
        if transfer is not None:
            headers = {name.lower(): value for name, value in event["response"]["headers"].items()}
            transfer.status = event["response"]["status"]
            transfer.encoding = headers.get("content-encoding", "")

    def _finished(self, event: dict[str, Any]) -> None:
        transfer = self.transfers.get(event["requestId"])
        if transfer is not None:
            transfer.bytes = int(event["encodedDataLength"])

    def _failed(self, event: dict[str, Any]) -> None:
        transfer = self.transfers.get(event["requestId"])
        if transfer is not None:
            transfer.status, transfer.bytes = -1, 0

    def settle(self) -> list[Transfer]:
        """Every response of the page once each has finished arriving."""
        for _ in range(200):  # a few seconds at most; the load event has already fired
            if all(transfer.bytes is not None for transfer in self.transfers.values()):
                break
            self.page.wait_for_timeout(25)
        unfinished = [t.url for t in self.transfers.values() if t.bytes is None]
        if unfinished:
            raise RuntimeError(f"responses that never finished: {unfinished}")
        return [*self.redirects, *self.transfers.values()]


def weight(name: str, language: str, transfers: list[Transfer]) -> dict[str, Any]:
    return {
        "page": name,
        "language": language,
        "requests": len(transfers),
        "bytes": sum(transfer.bytes or 0 for transfer in transfers),
        "responses": [transfer.row() for transfer in transfers],
    }


def phone_context(browser: Any, language: str, state: Any = None, javascript: bool = False) -> Any:
    return browser.new_context(
        **PHONE,
        java_script_enabled=javascript,
        storage_state=state,
        extra_http_headers={"Accept-Language": language},
    )


def seen(page: Any) -> None:
    """The whole page painted, as a person scrolling through it sees it: web fonts and
    background images are fetched only when something is drawn with them, which the load
    event does not wait for; then whatever that started has finished."""
    page.screenshot(full_page=True)
    page.wait_for_load_state("networkidle")


def weigh_visit(
    browser: Any, url: str, name: str, language: str, state: Any = None, javascript: bool = False
) -> dict[str, Any]:
    """A page opened in a fresh context: an empty cache, the session of ``state``."""
    context = phone_context(browser, language, state, javascript)
    page = context.new_page()
    wire = Wire(page)
    wire.record()
    page.goto(url, wait_until="load")
    seen(page)
    row = weight(name, language, wire.settle())
    context.close()
    return row


def weigh_answer(page: Any, wire: Wire, name: str, language: str) -> dict[str, Any]:
    """The page a form's answer shows, as it arrives: the form is sent, the cache empty."""
    wire.record()
    with page.expect_navigation(wait_until="load"):
        page.locator("main form button[type=submit]").last.click()
    seen(page)
    return weight(name, language, wire.settle())


def weigh_portal(browser: Any, base: str) -> tuple[list[dict[str, Any]], dict[str, Any], Any]:
    """Every applicant page in every measured language; and the birth page sent empty,
    in English, for the reference (its weight, and the open page to read the form from)."""
    from tests.browser.phone import (
        DRAFT_PAGES,
        SUBMITTED_PAGES,
        Visit,
        fill_local_staff_application,
        start_application,
    )

    draft_pages = [*DRAFT_PAGES, "/application/risk"]
    rows = []
    for language in LANGUAGES:
        rows += weigh_start(browser, base, language)
    context = phone_context(browser, "en")
    visit = Visit(context.new_page(), base)
    start_application(visit)
    fill_local_staff_application(visit)  # so that every page has something to show
    state = context.storage_state()
    rows += [
        weigh_visit(browser, base + path, path, language, state)
        for language in LANGUAGES
        for path in draft_pages
    ]
    visit.send()  # send the application
    state = context.storage_state()
    rows += [
        weigh_visit(browser, base + path, path, language, state)
        for language in LANGUAGES
        for path in SUBMITTED_PAGES
    ]
    context.close()

    for language in LANGUAGES:
        row, page = weigh_birth_mistakes(browser, base, language)
        rows.append(row)
        if language == "en":
            reference_row, reference_page = row, page
        else:
            page.context.close()
    return rows, reference_row, reference_page


def weigh_start(browser: Any, base: str, language: str) -> list[dict[str, Any]]:
    """The answers to the eligibility questions, and the receipt with the access code."""
    context = phone_context(browser, language)
    page = context.new_page()
    wire = Wire(page)
    page.goto(base + "/eligibility")
    for name in ("programme=local_staff", "outside_germany=yes", "basis=yes"):
        field_name, value = name.split("=")
        page.check(f"input[name={field_name}][value={value}]")
    rows = [
        weigh_answer(page, wire, "/eligibility (answered: the start page)", language),
        weigh_answer(page, wire, "/start (answered: the receipt, uncompressed)", language),
    ]
    context.close()
    return rows


def weigh_birth_mistakes(browser: Any, base: str, language: str) -> tuple[dict[str, Any], Any]:
    """A new application's birth page sent with nothing filled in: the error summary."""
    from tests.browser.phone import Visit, start_application

    context = phone_context(browser, language)
    visit = Visit(context.new_page(), base)
    start_application(visit)
    wire = Wire(visit.page)
    visit.page.goto(base + "/application/birth")
    row = weigh_answer(visit.page, wire, "/application/birth (sent empty: errors)", language)
    return row, visit.page


def _text(locator: Any) -> str:
    return " ".join(locator.first.inner_text().split()) if locator.count() else ""


def describe_form(page: Any) -> dict[str, Any]:
    """The form page as a person reads it (the portal's macros in portal/templates/
    _forms.html): what the reference must show too."""
    main = page.locator("main")
    back = main.locator("a.back")
    summary = main.locator(".error-summary")
    description: dict[str, Any] = {
        "lang": page.locator("html").get_attribute("lang"),
        "title": page.title(),
        "back": {"text": _text(back), "href": back.get_attribute("href")},
        "error_title": _text(summary.locator("h2")),
        "errors": [
            {"text": _text(link), "href": link.get_attribute("href")}
            for link in summary.locator("li a").all()
        ],
        "heading": _text(main.locator("h1")),
        "csrf": main.locator("input[name=csrf_token]").get_attribute("value"),
        "button": _text(main.locator("form button[type=submit]")),
        "after": _text(main.locator(":scope > p.hint")),
        "fields": [],
    }
    for block in main.locator("form > fieldset, form > div.field").all():
        description["fields"].append(_describe_field(block))
    return description


def _describe_field(block: Any) -> dict[str, Any]:
    error = _text(block.locator("p.error"))
    hint = _text(block.locator("p.hint"))
    if block.locator(".date-parts").count():
        unknown = block.locator(".choice input")
        return {
            "kind": "date",
            "id": block.get_attribute("id"),
            "legend": _text(block.locator("legend")),
            "hint": hint,
            "error": error,
            "items": [
                {
                    "id": part.locator("input").get_attribute("id"),
                    "name": part.locator("input").get_attribute("name"),
                    "label": _text(part.locator("label")),
                    "width": part.locator("input").get_attribute("size"),
                }
                for part in block.locator(".date-parts > div").all()
            ],
            "unknown": {
                "id": unknown.get_attribute("id"),
                "name": unknown.get_attribute("name"),
                "value": unknown.get_attribute("value"),
                "label": _text(block.locator(".choice label")),
            },
        }
    if block.locator("input[type=radio]").count():
        radios = block.locator("input[type=radio]").all()
        return {
            "kind": "radios",
            "id": block.get_attribute("id"),
            "name": radios[0].get_attribute("name"),
            "legend": _text(block.locator("legend")),
            "error": error,
            "options": [
                {
                    "value": radio.get_attribute("value"),
                    "text": _text(block.locator(f"label[for='{radio.get_attribute('id')}']")),
                }
                for radio in radios
            ],
        }
    label = _text(block.locator("label"))
    select = block.locator("select")
    if select.count():
        return {
            "kind": "select",
            "id": select.get_attribute("id"),
            "name": select.get_attribute("name"),
            "label": label,
            "error": error,
            "options": [
                {"value": option.get_attribute("value"), "text": _text(option)}
                for option in select.locator("option").all()
            ],
        }
    field_input = block.locator("input, textarea").first
    return {
        "kind": "text",
        "id": field_input.get_attribute("id"),
        "name": field_input.get_attribute("name"),
        "value": field_input.get_attribute("value") or "",
        "label": label,
        "hint": hint,
        "error": error,
    }


def prepare_reference(folder: Path) -> tuple[Path, Path]:
    """GOV.UK Frontend from its npm package: its default bundle laid out to be served as
    its documentation says (CSS and JavaScript, /assets/ for fonts and images), the static
    files precompressed as `make static` does the portal's. Returns (site, node_modules)."""
    npm = folder / "npm"
    npm.mkdir(parents=True)
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            shutil.which("npm") or "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"govuk-frontend@{GOVUK_FRONTEND}",
            f"nunjucks@{NUNJUCKS}",
        ],
        cwd=npm,
        check=True,
    )
    bundle = npm / "node_modules" / "govuk-frontend" / "dist" / "govuk"
    site = folder / "site"
    (site / "static").mkdir(parents=True)
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        shutil.copy(bundle / name, site / "static" / name)
    shutil.copytree(bundle / "assets", site / "assets")
    for path in [*site.rglob("*.css"), *site.rglob("*.js"), *site.rglob("*.svg")]:
        with path.open("rb") as source, path.with_name(path.name + ".gz").open("wb") as target:
            subprocess.run(["gzip", "-9", "-n", "-c"], stdin=source, stdout=target, check=True)  # noqa: S603, S607
    return site, npm / "node_modules"


def render_reference(description: dict[str, Any], site: Path, node_modules: Path) -> str:
    """The GOV.UK Frontend page, written into the reference site; returns its path there."""
    page = subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("node") or "node", str(RENDERER)],
        input=json.dumps(description),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(node_modules)},
    ).stdout
    (site / "static" / "birth.html").write_text(page)
    return "/static/birth.html"


def print_rows(rows: list[dict[str, Any]]) -> None:
    print(f"{'page':<48} {'lang':<6} {'requests':>8} {'bytes':>7}  largest response")
    for row in rows:
        largest = max(row["responses"], key=lambda response: response["bytes"])
        print(
            f"{row['page']:<48} {row['language']:<6} {row['requests']:>8} {row['bytes']:>7}  "
            f"{largest['path']} {largest['bytes']} ({largest['encoding']})"
        )


def verdict(rows: list[dict[str, Any]]) -> dict[str, Any]:
    largest = max(rows, key=lambda row: row["bytes"])
    median = statistics.median(row["bytes"] for row in rows)
    over = [f"{row['page']} ({row['language']})" for row in rows if row["bytes"] > BUDGET_LARGEST]
    return {
        "pages_weighed": len(rows),
        "largest_bytes": largest["bytes"],
        "largest_page": f"{largest['page']} ({largest['language']})",
        "median_bytes": median,
        "over_budget": over,
        "within_budget": not over and median <= BUDGET_MEDIAN,
    }


def print_verdict(figures: dict[str, Any]) -> None:
    print(
        f"\nlargest {figures['largest_bytes']} B ({figures['largest_page']}), budget "
        f"{BUDGET_LARGEST} B; median {figures['median_bytes']:.0f} B, budget {BUDGET_MEDIAN} B"
    )
    for page in figures["over_budget"]:
        print(f"OVER BUDGET: {page}")
    if figures["median_bytes"] > BUDGET_MEDIAN:
        print("OVER BUDGET: the median")


def measure(public: str, reference: tuple[str, Path, Path] | None) -> dict[str, Any]:
    """Weigh the portal's pages at ``public``; with ``reference`` (its URL, its site folder
    and node_modules) the GOV.UK Frontend page beside the portal's too."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("page_weight: needs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        rows, portal_form, form_page = weigh_portal(browser, public)
        results: dict[str, Any] = {"pages": rows, **verdict(rows)}
        if reference is not None:
            url, site, node_modules = reference
            path = render_reference(describe_form(form_page), site, node_modules)
            results["reference"] = {
                "what": "the birth page with its error summary, in English",
                "govuk_frontend_version": GOVUK_FRONTEND,
                "portal": portal_form,
                "govuk_frontend": weigh_visit(browser, url + path, path, "en"),
                "govuk_frontend_with_javascript": weigh_visit(
                    browser, url + path, path, "en", javascript=True
                ),
            }
        form_page.context.close()
        browser.close()
    return results


def report(results: dict[str, Any]) -> None:
    print_rows(results["pages"])
    print_verdict(results)
    reference = results.get("reference")
    if reference:
        print(f"\nthe same form page, {reference['what']}:")
        print_rows(
            [
                {**reference["portal"], "page": "portal"},
                {
                    **reference["govuk_frontend"],
                    "page": f"GOV.UK Frontend {GOVUK_FRONTEND}, no JavaScript",
                },
                {
                    **reference["govuk_frontend_with_javascript"],
                    "page": f"GOV.UK Frontend {GOVUK_FRONTEND}, JavaScript on",
                },
            ]
        )


def write(results: dict[str, Any]) -> None:
    RESULT.parent.mkdir(exist_ok=True)
    document = {
        "benchmark": "applicant page weight, first visit, empty cache, through nginx in Chromium",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "budget_largest_bytes": BUDGET_LARGEST,
        "budget_median_bytes": BUDGET_MEDIAN,
        **results,
    }
    RESULT.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def run_benchmark() -> int:
    """Start the stack with the reference site beside it, and measure inside it."""
    for tool in ("npm", "node", "nginx", "chromium"):
        if shutil.which(tool) is None:
            print(f"page_weight: needs {tool}")
            return 1
    folder = Path(tempfile.mkdtemp(prefix="portal-weight-"))
    try:
        site, node_modules = prepare_reference(folder)
        environment = {**STACK_SETTINGS, **os.environ, "STACK_STATIC_SITE": str(site)}
        command = [
            "bash",
            str(ROOT / "deploy" / "test" / "stack.sh"),
            sys.executable,
            str(Path(__file__).resolve()),
            "--from-stack",
            "--reference-site",
            str(site),
            "--node-modules",
            str(node_modules),
        ]
        done = subprocess.run(command, cwd=ROOT, env=environment, check=False)  # noqa: S603
        return done.returncode
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--public", help="a running public face: check the budget only")
    parser.add_argument("--from-stack", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reference-site", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--node-modules", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.public:
        results = measure(arguments.public.rstrip("/"), None)
        report(results)
        return 0 if results["within_budget"] else 1
    if not arguments.from_stack:
        return run_benchmark()
    reference = (
        os.environ["STACK_STATIC_URL"],
        arguments.reference_site,
        arguments.node_modules,
    )
    results = measure(os.environ["STACK_PUBLIC_URL"], reference)
    report(results)
    write(results)
    return 0 if results["within_budget"] else 1


if __name__ == "__main__":
    sys.exit(main())
