"""The settings files of docs/deployment.md, read as systemd reads an EnvironmentFile: an
operator copies them as they are, and the services must start with what they hold."""

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "deployment.md"


def _settings_files() -> dict[str, str]:
    """Each ``/etc/portal/NAME.env`` of the guide: the code block after its name."""
    text = GUIDE.read_text()
    return dict(re.findall(r"`/etc/portal/(\w+\.env)`[^`]*?:\n\n```sh\n(.*?)```", text, re.S))


def _as_systemd_reads(text: str) -> dict[str, str]:
    """systemd takes a line starting with # or ; as a comment, and everything after the
    first = as the value: a comment after a value is part of it."""
    variables = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            name, _, value = line.partition("=")
            variables[name.strip()] = value.strip().strip('"')
    return variables


def test_the_guide_gives_each_services_settings_file() -> None:
    assert set(_settings_files()) >= {"public.env", "internal.env", "owner.env"}


@pytest.mark.parametrize("name", ["public.env", "internal.env", "owner.env"])
def test_a_settings_file_of_the_guide_holds_only_values(name: str) -> None:
    variables = _as_systemd_reads(_settings_files()[name])
    assert variables
    assert {key: value for key, value in variables.items() if "#" in value} == {}
    for number in ("PORTAL_WEB_PROCESSES", "PORTAL_TRUSTED_PROXIES"):
        if number in variables:
            int(variables[number])  # what gunicorn.conf.py and portal.config read
