"""Remake docs/img/map.png and docs/img/dashboard.png: the offline demo database served by
`crawler serve`, photographed by headless Chromium (Debian's, through Playwright).

    .venv/bin/python docs/img/make_screenshots.py

Chinese text needs a CJK font on the machine (`apt-get install fonts-wqy-microhei`); without one
the script still runs and says so."""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SIZE = (1200, 800)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def save(png: bytes, path: Path) -> None:
    """``png`` scaled to SIZE and reduced to 256 colours: a README image, not a photograph."""
    image = Image.open(io.BytesIO(png)).convert("RGB").resize(SIZE, Image.Resampling.LANCZOS)
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


def photograph(base: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
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
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "crawler", "serve", "--db", str(db), "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/-/versions.json", timeout=2).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        sys.exit("crawler serve did not start")
                    time.sleep(0.2)
            photograph(base)
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
