"""Remake docs/img/map.png and docs/img/dashboard.png: the offline demo database served by
`crawler serve`, photographed by headless Chromium (Debian's, through Playwright).

    .venv/bin/python docs/img/make_screenshots.py

Chinese text needs a CJK font on the machine (`apt-get install fonts-wqy-microhei`); without one
the script still runs and says so."""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))  # the tests' `crawler serve` and Chromium settings, run from a checkout
from tests.served import CHROMIUM, CHROMIUM_FLAGS, crawler_serve  # noqa: E402

SIZE = (1200, 800)


def save(png: bytes, path: Path) -> None:
    """``png`` scaled to SIZE and reduced to 256 colours: a README image, not a photograph."""
    image = Image.open(io.BytesIO(png)).convert("RGB").resize(SIZE, Image.Resampling.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def photograph(base: str) -> None:
    if CHROMIUM is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": SIZE[0], "height": SIZE[1]})
        page.goto(f"{base}/notices/cluster_places?final_notice_id__isnull=1")
        page.wait_for_selector("#places-map .marker-cluster")
        page.wait_for_load_state("networkidle")
        save(page.screenshot(), HERE / "map.png")
        # The dashboard is wider than a README image: photographed at 4/3 of SIZE, from its charts down.
        page.set_viewport_size({"width": SIZE[0] * 4 // 3, "height": SIZE[1] * 4 // 3})
        page.goto(f"{base}/-/dashboards/overview")
        page.wait_for_selector("#chart-list-stages svg .role-mark", state="attached")
        page.wait_for_load_state("networkidle")
        top = page.locator(".dashboard-filters").bounding_box()["y"]
        clip = {"x": 0, "y": top, "width": SIZE[0] * 4 // 3, "height": SIZE[1] * 4 // 3}
        save(page.screenshot(clip=clip, full_page=True), HERE / "dashboard.png")
        browser.close()


def main() -> None:
    if not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip():
        print("no CJK font found: Chinese text will show as boxes (apt-get install fonts-wqy-microhei)")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "notices.db"
        subprocess.run(
            [sys.executable, "-m", "crawler", "demo", "--db", str(db)], cwd=ROOT, check=True, capture_output=True
        )
        with crawler_serve(db) as base:
            photograph(base)


if __name__ == "__main__":
    main()
