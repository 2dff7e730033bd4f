"""Watch-list files as operators receive them."""

from pathlib import Path

import pytest

GOOD = """name,aliases,date_of_birth,reference
Mohammad Karimi,محمد کریمی;Muhammad Karimi,1980-05-17,UN-2021-0042
Yousef Ahmadzai,,1975,BKA-7781
Qari Saifullah Mansoor,قاری سیف‌الله منصور,,UN-2019-0007
"""


@pytest.fixture
def write_list(tmp_path: Path):
    def write(text: str, name: str = "list.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
