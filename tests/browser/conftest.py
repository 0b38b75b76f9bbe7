"""Browser tests: headless Debian Chromium driven by Playwright, axe-core injected.

Locally, a missing ``/usr/bin/chromium`` or ``node_modules/axe-core`` skips these tests with
the command to install them; in CI (``CI=true``) they are required and fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _require(condition: bool, why: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """A headless Chromium (Debian's) launched once per test session."""
    _require(Path(CHROMIUM).exists(), "Chromium not found: apt-get install chromium")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script (npm package ``axe-core``), to inject into pages."""
    _require(AXE.exists(), "axe-core not installed: run `npm ci` (make test does it)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(
    page, axe_source: str, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict]:
    """Run axe-core on ``page`` and return the violations of the given impacts.

    Each violation is axe's dict (``id``, ``impact``, ``help``, ``nodes`` …).
    """
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]
