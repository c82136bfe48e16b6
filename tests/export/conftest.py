"""Helpers to look inside exported files: PDF pages as pixels, PPTX reopened."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest


def pdf_pages_with_content(pdf: bytes, tmp_path: Path) -> list[float]:
    """Render every page with pdftoppm and return each page's share of non-white pixels."""
    from PIL import Image

    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "30", "-gray", "-png", str(src), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    shares = []
    for png in sorted(tmp_path.glob("page-*.png")):
        img = Image.open(png).convert("L")
        hist = img.histogram()
        dark = sum(hist[:200])
        shares.append(dark / (img.width * img.height))
    return shares


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "text.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(src), "-"], check=True, capture_output=True, timeout=60)
    return out.stdout.decode()


def open_pptx(data: bytes):  # type: ignore[no-untyped-def]
    from pptx import Presentation

    return Presentation(io.BytesIO(data))


@pytest.fixture
def pages_of(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``pages_of(pdf_bytes)`` -> the non-white share of every rendered page."""
    return lambda pdf: pdf_pages_with_content(pdf, tmp_path)


@pytest.fixture
def text_of(tmp_path: Path):  # type: ignore[no-untyped-def]
    """``text_of(pdf_bytes)`` -> the PDF's text (pdftotext)."""
    return lambda pdf: pdf_text(pdf, tmp_path)


@pytest.fixture
def reopen():  # type: ignore[no-untyped-def]
    """``reopen(pptx_bytes)`` -> a python-pptx Presentation."""
    return open_pptx


@pytest.fixture(autouse=True)
def _need_poppler() -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
