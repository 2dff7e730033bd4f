"""The deployment test's journey, through nginx and gunicorn as deployed: an applicant
applies with an upload on the public face, a worker screens the case, two members of
staff sign in on the internal face with TOTP and decide it with four eyes, and the
applicant sees the decision. Then the public face's own environment tries to open the
case and cannot. Run by deploy/test/run.sh, which starts everything; exits non-zero on
the first thing that is not as it should be."""

import argparse
import http.client
import io
import re
import ssl
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
from PIL import Image

from deploy.test.browser import Browser, Page

PASSWORD = "a long passphrase of my own"  # noqa: S105 - a test account's, chosen at enrolment
SCREENING_WAIT_SECONDS = 120


def check(condition: object, what: str, page: Page | None = None) -> None:
    if not condition:
        detail = f"\n  {page.url} answered {page.status}:\n{page.text[:2000]}" if page else ""
        raise SystemExit(f"FAILED: {what}{detail}")
    print(f"ok   {what}", flush=True)


def found(pattern: str, text: str, what: str, page: Page | None = None) -> re.Match[str]:
    """The first match of ``pattern`` in ``text``; the test fails (and says what) without one."""
    match = re.search(pattern, text)
    check(match, what, page)
    if match is None:  # check() has exited already; this tells the type checker so
        raise SystemExit(1)
    return match


def environment_of(env_file: Path) -> dict[str, str]:
    """The variables of a systemd EnvironmentFile (KEY=value lines), as the unit gets them."""
    variables = {}
    for line in env_file.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip()
    return variables


def run_as(env_file: Path, *arguments: str) -> str:
    """Run a command in a face's environment (its env file, its keys, its database role)."""
    import os

    environment = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", **environment_of(env_file)}
    done = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, *arguments], env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(arguments)}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def photo() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


def apply(public: str, cafile: str) -> tuple[str, str]:
    """An applicant's whole journey, with a photo; returns the reference and access code."""
    applicant = Browser(public, cafile)
    start = applicant.get("/")
    check(
        start.status == 200 and "Strict-Transport-Security" in start.headers,
        "start page over TLS, with HSTS",
        start,
    )
    stylesheet = found(
        r'href="(/static/portal\.css\?v=[0-9a-f]+)"',
        start.text,
        "the stylesheet's URL carries its version",
        start,
    )
    css = applicant.get(stylesheet.group(1))
    check(
        css.status == 200
        and css.compressed
        and "immutable" in css.headers.get("Cache-Control", ""),
        "nginx serves the stylesheet precompressed, kept for a year",
        css,
    )
    answers = {"programme": "local_staff", "outside_germany": "yes", "basis": "yes"}
    applicant.submit("/eligibility", answers)
    started = applicant.submit("/start", {"programme": "local_staff"}, from_page="/eligibility")
    check(started.status == 302, "the case is started, then its receipt shown", started)
    receipt = applicant.get("/application/receipt")
    codes = re.findall(r'<bdi class="code" dir="ltr" lang="en">([0-9A-Z-]+)</bdi>', receipt.text)
    check(len(codes) == 2, "the receipt shows a reference and an access code", receipt)
    check(not receipt.compressed, "the receipt with the access code is not compressed", receipt)
    reference, access_code = codes

    names = {
        "given_names": "زرمینه",
        "family_name": "احمدزی",
        "given_names_latin": "Zarmina",
        "family_name_latin": "Ahmadzai",
    }
    page = applicant.submit("/application/names", names)
    check(page.status == 302, "names saved", page)
    birth = {
        "birth_year": "1987",
        "birth_month": "3",
        "place_of_birth": "Mazar-i-Sharif",
        "nationality": "AF",
        "marital_status": "married",
    }
    for path, fields in (
        ("/application/birth", birth),
        ("/application/stay", {"country_of_stay": "AF", "place_of_stay": "Kabul"}),
        ("/application/contact", {"phone": "+93 70 123 4567"}),
        ("/application/identity", {"identity_document": "passport", "document_number": "P0177 33"}),
        (
            "/application/employment/new",
            {
                "employer": "bundeswehr",
                "place": "Camp Marmal",
                "started_year": "2010",
                "started_month": "4",
                "ended_year": "2014",
                "role": "Sprachmittler",
            },
        ),
    ):
        page = applicant.submit(path, fields)
        check(page.status == 302, f"{path} saved", page)
    page = applicant.get("/application/names")
    check(page.compressed, "an ordinary page arrives gzip-compressed", page)

    upload = applicant.submit(
        "/application/documents",
        {"kind": "photo"},
        files={"file": ("passport-photo.png", "image/png", photo())},
    )
    check(upload.status == 302, "a photo uploaded through nginx", upload)
    documents = applicant.get("/application/documents")
    check("passport-photo.png" in documents.text, "the upload is listed", documents)
    page = applicant.submit("/application/declarations", {"truthful": "y", "consent": "y"})
    check(page.status == 302, "declarations confirmed", page)
    page = applicant.submit("/application/submit", {}, from_page="/application/check")
    check(page.status == 302, "application submitted", page)
    return reference, access_code


def applicant_signed_in(public: str, cafile: str, reference: str, access_code: str) -> Browser:
    applicant = Browser(public, cafile)
    signed_in = applicant.submit("/sign-in", {"reference": reference, "access_code": access_code})
    check(
        signed_in.status == 302, "the applicant signs in with reference and access code", signed_in
    )
    return applicant


def a_body_over_the_limit_is_answered_by_the_portal(public: str, cafile: str) -> None:
    """nginx refuses a body over its limit from the request's length, before reading it:
    the applicant still gets the portal's page, which names the file limit and leads back
    to the form. Only the headers are sent, as a phone's upload begins."""
    address = urllib.parse.urlsplit(public)
    connection = http.client.HTTPSConnection(
        address.hostname or "", address.port, context=ssl.create_default_context(cafile=cafile)
    )
    connection.putrequest("POST", "/application/documents")
    connection.putheader("Content-Type", "multipart/form-data; boundary=upload")
    connection.putheader("Content-Length", str(13 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    check(response.status == 413, f"a 13 MiB upload is refused by nginx ({response.status})")
    check("A file can be at most" in text, "the refusal is the portal's page, with the limit")
    check('href="/application/documents"' in text, "the refusal leads back to the form")


def wait_until_screened(applicant: Browser) -> None:
    """Watch the status page, as an applicant would, until the worker has screened the case."""
    deadline = time.monotonic() + SCREENING_WAIT_SECONDS
    while True:
        status = applicant.get("/case")
        if "Under review by the consulate." in status.text:
            check(True, "the worker screened the case: it is in review")
            return
        if time.monotonic() > deadline:
            check(False, "the case reached review within two minutes", status)
        time.sleep(1)


def job_metrics_reach_the_internal_face(internal: str, cafile: str, internal_env: Path) -> None:
    """The worker ran the intake job in another process: its duration reaches a scrape of
    the internal face only through the metrics folder they share."""
    token = environment_of(internal_env)["PORTAL_METRICS_TOKEN"]
    scrape = Browser(internal, cafile).get("/metrics", headers={"Authorization": f"Bearer {token}"})
    check(scrape.status == 200, "the internal face's /metrics answers with the token", scrape)
    count = found(
        r'portal_job_duration_seconds_count\{job="intake"\} ([0-9.e+]+)',
        scrape.text,
        "the worker's intake job is in the internal face's metrics",
        scrape,
    )
    check(float(count.group(1)) >= 1, "the worker's intake job is counted", scrape)


def enrol(internal: str, cafile: str, internal_env: Path, username: str, role: str) -> str:
    """Create an account with the CLI and enrol through its link; returns its TOTP secret."""
    printed = run_as(
        internal_env,
        "-m",
        "flask",
        "--app",
        "wsgi",
        "staff",
        "create",
        username,
        "--name",
        username.title(),
        "--role",
        role,
    )
    link = found(
        r"/staff/enrol/[A-Za-z0-9_\-]+",
        printed,
        f"`staff create {username}` printed an enrolment link",
        None,
    )
    person = Browser(internal, cafile)
    page = person.get(link.group(0))
    key = found(
        r'class="totp-key">([A-Z2-7 ]+)<',
        page.text,
        f"{username}'s enrolment page shows an authenticator key",
        page,
    )
    secret = key.group(1).replace(" ", "")
    # The previous time step's code: the sign-in after it uses the current one, and a
    # code is never accepted twice.
    code = pyotp.TOTP(secret).at(datetime.now(UTC) - timedelta(seconds=30))
    done = person.submit(
        link.group(0),
        {"new_password": PASSWORD, "new_password_again": PASSWORD, "code": code},
    )
    check(done.status == 302, f"{username} chose a password and set up TOTP", done)
    return secret


def sign_in(internal: str, cafile: str, username: str, secret: str) -> Browser:
    staff = Browser(internal, cafile)
    code = pyotp.TOTP(secret).now()
    page = staff.submit(
        "/staff/sign-in", {"username": username, "password": PASSWORD, "code": code}
    )
    check(
        page.status == 302, f"{username} signs in on the internal face with password and TOTP", page
    )
    return staff


def decide(internal: str, cafile: str, internal_env: Path, reference: str) -> str:
    """A caseworker proposes admission, a decider confirms it; returns the case id."""
    caseworker_secret = enrol(internal, cafile, internal_env, "amira", "caseworker")
    decider_secret = enrol(internal, cafile, internal_env, "bernd", "decider")
    caseworker = sign_in(internal, cafile, "amira", caseworker_secret)
    decider = sign_in(internal, cafile, "bernd", decider_secret)

    queue = caseworker.get("/staff/")
    link = found(
        rf'href="(/staff/cases/([0-9a-f-]{{36}}))">{reference.replace("-", "")}<',
        queue.text,
        "the case is in the caseworker's queue",
        queue,
    )
    path, case_id = link.group(1), link.group(2)
    case = caseworker.get(path)
    check(
        "Zarmina" in case.text and "Ahmadzai" in case.text,
        "the internal face decrypts the case for staff",
        case,
    )
    check("passport-photo.png" in case.text, "the uploaded photo is on the case", case)
    check(not case.compressed, "staff pages are not compressed", case)
    me = found(  # "Take the case": the first next step on an unassigned case
        r'<input type="hidden" name="assignee" value="([0-9a-f-]{36})">',
        case.text,
        "the case screen offers to take the case",
        case,
    )
    assigned = caseworker.submit(path + "/assign", {"assignee": me.group(1)}, from_page=path)
    check(assigned.status == 302, "the caseworker takes the case", assigned)
    proposed = caseworker.submit(
        path + "/decision",
        {"outcome": "admit", "reasons": "Ortskraft, Gefährdung belegt."},
        from_page=path,
    )
    check(proposed.status == 302, "the caseworker proposes admission", proposed)

    own = caseworker.get(path)
    check(
        not re.search(r"/decision/[0-9a-f-]+/confirm", own.text),
        "the proposer is offered no confirmation of their own",
        own,
    )
    page = decider.get(path)
    confirm = found(
        rf'action="({path}/decision/[0-9a-f-]+/confirm)"',
        page.text,
        "the decider is offered the proposal to confirm",
        page,
    )
    confirmed = decider.submit(confirm.group(1), {}, from_page=path)
    check(confirmed.status == 302, "a second person, the decider, confirms", confirmed)
    after = decider.get(path)
    check("admitted" in after.text.lower(), "the case screen shows the case admitted", after)
    return case_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--public", required=True, help="the public face's https URL")
    parser.add_argument("--internal", required=True, help="the internal face's https URL")
    parser.add_argument("--cafile", required=True, help="the test certificate")
    parser.add_argument("--public-env", type=Path, required=True)
    parser.add_argument("--internal-env", type=Path, required=True)
    arguments = parser.parse_args()
    public, internal, cafile = arguments.public, arguments.internal, arguments.cafile

    for name, base in (("public", public), ("internal", internal)):
        health = Browser(base, cafile).get("/healthz")
        check(
            health.status == 200 and '"status":"ok"' in health.text.replace(" ", ""),
            f"{name} face healthy through nginx",
            health,
        )
    outside = Browser(public, cafile).get("/staff/sign-in")
    check(outside.status == 404, "the public face has no staff pages", outside)

    a_body_over_the_limit_is_answered_by_the_portal(public, cafile)
    reference, access_code = apply(public, cafile)
    wait_until_screened(applicant_signed_in(public, cafile, reference, access_code))
    job_metrics_reach_the_internal_face(internal, cafile, arguments.internal_env)
    case_id = decide(internal, cafile, arguments.internal_env, reference)
    status = applicant_signed_in(public, cafile, reference, access_code).get("/case")
    check(
        "Admission approved." in status.text,
        "the applicant sees the decision on the public face",
        status,
    )

    report = run_as(arguments.public_env, "-m", "deploy.test.public_face", case_id)
    print(report, end="", flush=True)
    check(
        "the public face cannot open the case" in report,
        "the public face's processes cannot decrypt the case",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
