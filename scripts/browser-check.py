#!/usr/bin/env python3
"""Drives headless Chromium through Jupyter's classic Notebook for
scripts/browser-check.sh: open a notebook, Cell > Run All, wait until every
code cell has run and the kernel is idle, then save a full-page screenshot
and a JSON summary of each cell's outputs (images, stderr, errors)."""
import argparse
import json
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1280,1000", "--hide-scrollbars"]

SUMMARY_JS = """
const cells = Jupyter.notebook.get_cells();
return cells.map((c, i) => {
  const el = c.element[0];
  return {
    cell: i + 1, type: c.cell_type,
    prompt: c.cell_type == 'code' ? String(c.input_prompt_number) : null,
    images: el.querySelectorAll('.output_area img, .output_area svg').length,
    image_sizes: Array.from(el.querySelectorAll('.output_area img')).map(im => [im.width, im.height, im.naturalWidth]),
    stderr: el.querySelectorAll('.output_stderr').length,
    errors: el.querySelectorAll('.output_error').length,
    text: Array.from(el.querySelectorAll('.output_text pre')).map(p => p.innerText).join('\\n').slice(0, 400),
  };
});
"""

DONE_JS = """
if (!window.Jupyter || !Jupyter.notebook || !Jupyter.notebook.kernel) return false;
const idle = document.querySelector('#kernel_indicator_icon.kernel_idle_icon') !== null;
const ran = Jupyter.notebook.get_cells().every(c => c.cell_type != 'code' ||
  (c.input_prompt_number !== undefined && c.input_prompt_number !== null && c.input_prompt_number !== '*'));
return idle && ran;
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--notebook", required=True)
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for f in CHROMIUM_FLAGS:
        opts.add_argument(f)
    opts.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="browser-check-"))
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    t0 = time.time()
    try:
        drv.get(f"{a.url}/notebooks/{a.notebook}.ipynb?token={a.token}")
        deadline = time.time() + 120
        while not drv.execute_script("return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected())"):
            if time.time() > deadline:
                raise SystemExit(f"{a.notebook}: the kernel did not connect within 120 s")
            time.sleep(1)
        # Never save: the notebook file must keep no outputs.
        drv.execute_script("Jupyter.notebook.set_autosave_interval(0); Jupyter.notebook.writable = false;")
        # Cell > Run All, through the menu as a user does.
        drv.find_element(By.ID, "celllink").click()
        drv.find_element(By.CSS_SELECTOR, "#run_all_cells > a").click()
        time.sleep(3)
        deadline = time.time() + a.timeout
        while not drv.execute_script(DONE_JS):
            if time.time() > deadline:
                print(f"{a.notebook}: not finished after {a.timeout:.0f} s; screenshot taken as it is", file=sys.stderr)
                break
            time.sleep(2)
        took = time.time() - t0
        time.sleep(2)  # let the last images decode
        height = drv.execute_script("return document.getElementById('header').offsetHeight + "
                                    "document.getElementById('notebook').scrollHeight")
        drv.set_window_size(1280, min(int(height) + 40, 30000))
        time.sleep(1)
        drv.save_screenshot(a.screenshot)
        cells = drv.execute_script(SUMMARY_JS)
        summary = {"notebook": a.notebook, "seconds": round(took), "cells": cells,
                   "images": sum(c["images"] for c in cells),
                   "stderr_outputs": sum(c["stderr"] for c in cells),
                   "error_outputs": sum(c["errors"] for c in cells)}
        with open(a.summary, "w") as f:
            json.dump(summary, f, indent=1)
        print(f"{a.notebook}: ran in {took:.0f} s; {summary['images']} images, {summary['stderr_outputs']} stderr "
              f"outputs, {summary['error_outputs']} errors; screenshot {a.screenshot}")
        return 1 if summary["error_outputs"] else 0
    finally:
        drv.quit()


if __name__ == "__main__":
    sys.exit(main())
