"""The headline figures of each benchmark's result file, each beside its reference from
the same run and its target: what ``make bench`` puts in latest.json and the table."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Row = dict[str, Any]
TEAM_PAGE = "team page"  # as bench/queue_pages.py names it among the filters


def _row(
    figure: str, value: Any, reference: str = "", reference_value: Any = None, target: str = ""
) -> Row:
    return {
        "figure": figure,
        "value": value,
        "reference": reference,
        "reference_value": reference_value,
        "target": target,
    }


def _worst(rows: list[dict[str, Any]], *keys: str) -> Any:
    values = []
    for row in rows:
        value: Any = row
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            values.append(value)
    return max(values) if values else None


def _seed_demo(r: dict[str, Any]) -> list[Row]:
    million = round(1_000_000 / r["cases_per_second"] / 60, 1)
    return [
        _row(f"cases seeded a second ({r['cases']:,} cases)", r["cases_per_second"]),
        _row("a million cases at that rate, minutes", million, target="minutes, not hours"),
    ]


def _queue_pages(r: dict[str, Any]) -> list[Row]:
    """The queue's worst page in each state, against the target; the team lead's page, which
    the benchmark times beside them with no target, apart."""
    target = f"< {r['target_p95_ms']} ms"
    found = []
    for state, rows in r["states"].items():
        queue = [row for row in rows if row["filter"] != TEAM_PAGE]
        team = [row for row in rows if row["filter"] == TEAM_PAGE]
        found.append(
            _row(
                f"queue page p95, worst filter, {state} (ms)",
                _worst(queue, "server", "p95_ms"),
                "raw SQL of the page, worst p95",
                _worst(queue, "raw_sql", "p95_ms"),
                target,
            )
        )
        if team:
            found.append(
                _row(
                    f"team page p95, {state} (ms)",
                    _worst(team, "server", "p95_ms"),
                    "its aggregates alone, p95",
                    _worst(team, "raw_sql", "p95_ms"),
                )
            )
    return found


def _reports(r: dict[str, Any]) -> list[Row]:
    rows = r["results"]
    return [
        _row(
            "report page p95, worst period and filter (ms)",
            _worst(rows, "page", "p95_ms"),
            "flows counted from scratch, worst p95",
            _worst(rows, "from_scratch_flows", "p95_ms"),
            f"< {r['target_p95_ms']} ms",
        )
    ]


def _page_weight(r: dict[str, Any]) -> list[Row]:
    reference = r["reference"]
    govuk = f"the same page built with GOV.UK Frontend {reference['govuk_frontend_version']}"
    return [
        _row(
            "largest applicant page, first visit (bytes on the wire)",
            r["largest_bytes"],
            target=f"<= {r['budget_largest_bytes']:,}",
        ),
        _row(
            "median applicant page, first visit (bytes on the wire)",
            round(r["median_bytes"]),
            target=f"<= {r['budget_median_bytes']:,}",
        ),
        _row(
            f"{reference['what']}, first visit (bytes on the wire)",
            reference["portal"]["bytes"],
            f"{govuk}, no JavaScript",
            reference["govuk_frontend"]["bytes"],
        ),
    ]


def _screening_throughput(r: dict[str, Any]) -> list[Row]:
    return [
        _row(
            "cases screened a second, one worker",
            r["screening_cases_per_second"],
            "empty jobs a second",
            r["empty_jobs_per_second"],
            f"ratio >= {r['target_ratio_to_empty']} (now {r['ratio_to_empty']})",
        )
    ]


def _submit_latency(r: dict[str, Any]) -> list[Row]:
    web = r.get("web", {})
    return [
        _row(
            f"submit to in review p95 at {r['achieved_rate_per_second']}/s (s)",
            r["p95_seconds"],
            "web answer to the submission, p95 (s)",
            round(web["p95_ms"] / 1000, 3) if web.get("p95_ms") else None,
            f"< {r['target_p95_seconds']} s",
        )
    ]


def _throughput(r: dict[str, Any]) -> list[Row]:
    f, ratios, targets, memory = r["figures"], r["ratios"], r["targets"], r["memory"]
    worker = memory["intake_worker"]
    return [
        _row(
            "applicant form page, requests a second",
            f["applicant form page"]["per_second"],
            "bare Flask page",
            f["bare Flask page"]["per_second"],
            f">= {targets['page']} of it (now {ratios['page']})",
        ),
        _row("start page, requests a second", f["start page"]["per_second"]),
        _row(
            "the stack's floor page, requests a second",
            f["stack floor page"]["per_second"],
            "bare Flask page",
            f["bare Flask page"]["per_second"],
        ),
        _row(
            "final submissions a second",
            f["final submission"]["per_second"],
            "bare Flask row insert",
            f["bare Flask row insert"]["per_second"],
            f">= {targets['submission']} of it (now {ratios['submission']})",
        ),
        _row(
            "the stack's floor submissions a second",
            f["stack floor submission"]["per_second"],
            "bare Flask row insert",
            f["bare Flask row insert"]["per_second"],
        ),
        _row(
            "web process after the load, USS / RSS (MiB)",
            f"{memory['portal_web']['uss_mib_max']} / {memory['portal_web']['rss_mib_max']}",
            "bare Flask process",
            f"{memory['bare_flask_web']['uss_mib_max']} / {memory['bare_flask_web']['rss_mib_max']}",
        ),
        _row(
            "intake worker after screening, USS / RSS (MiB)",
            f"{worker['after_screening']['uss_mib_max']} / {worker['after_screening']['rss_mib_max']}",
            "the worker idle",
            f"{worker['idle']['uss_mib_max']} / {worker['idle']['rss_mib_max']}",
        ),
    ]


def _document_memory(r: dict[str, Any]) -> list[Row]:
    largest = max(r["sizes"], key=lambda size: size["file_bytes"])
    mib = largest["file_bytes"] / 2**20
    return [
        _row(
            f"upload and download of {mib:g} MiB, Python peak (MiB)",
            round(
                max(largest["upload_python_peak_bytes"], largest["download_python_peak_bytes"])
                / 2**20,
                2,
            ),
            "the whole file in one bytes object",
            round(largest["whole_file_python_peak_bytes"] / 2**20, 2),
            f"<= {r['target_python_peak_share_of_file']} of the file",
        )
    ]


def _search(r: dict[str, Any]) -> list[Row]:
    target = f"< {r['target_p95_ms']} ms"
    rows = r["results"]
    return [
        _row(
            f"search by {kind} p95, worst of decider and caseworker ({r['cases']:,} cases, ms)",
            _worst([row for row in rows if row["search"].startswith(kind)], "server", "p95_ms"),
            "raw SQL of the search, worst p95",
            _worst([row for row in rows if row["search"].startswith(kind)], "raw_sql", "p95_ms"),
            target if kind in ("name", "reference") else "",
        )
        for kind in ("name", "reference", "document number", "phone")
    ]


EXTRACTORS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "seed_demo": _seed_demo,
    "queue_pages": _queue_pages,
    "reports": _reports,
    "search": _search,
    "page_weight": _page_weight,
    "screening_throughput": _screening_throughput,
    "submit_latency": _submit_latency,
    "throughput": _throughput,
    "document_memory": _document_memory,
}


def collect(results: Path, ran: list[str]) -> dict[str, Any]:
    """Every benchmark's figures from its result file; those not run now keep their date."""
    collected: dict[str, Any] = {}
    for name, extract in EXTRACTORS.items():
        path = results / f"{name}.json"
        if not path.exists():
            continue
        result = json.loads(path.read_text())
        try:
            rows = extract(result)
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
            rows = [_row(f"(result file not understood: {error!r})", None)]
        collected[name] = {"at": result.get("at"), "this_run": name in ran, "rows": rows}
    return collected


def table(latest: dict[str, Any]) -> str:
    """The Markdown table of docs/performance.md."""
    lines = [
        f"Run of {latest['at']}: {latest['seconds'] / 60:.1f} minutes, {latest['cpus']} CPUs, "
        f"load average at the end {latest['load_average_at_end']}.",
        "",
        "| benchmark | figure | value | reference (same run) | reference value | target |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, entry in latest["figures"].items():
        label = name if entry["this_run"] else f"{name} (earlier run, {entry['at']})"
        for row in entry["rows"]:
            cells = [
                label,
                row["figure"],
                _cell(row["value"]),
                row["reference"],
                _cell(row["reference_value"]),
                row["target"],
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return "" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
