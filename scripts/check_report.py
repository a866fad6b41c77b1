"""Open the build's Snakemake report in a real headless browser and check every figure.

``python scripts/check_report.py results/report.html --screenshot results/report.png``
opens the report in Chromium (Debian's chromium and chromium-driver, through Selenium),
opens every paper's category and checks, for every figure the paper declares, that it is
listed, that its description shows its caption, and that viewing it shows the image; it
keeps a screenshot of the first figure shown. Exit 1, naming what is missing, otherwise 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from common.paper import discover


def _browser() -> webdriver.Chrome:
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def _click_text(driver: webdriver.Chrome, text: str) -> None:
    found = driver.find_elements(By.XPATH, f"//*[normalize-space(text())='{text}']")
    if not found:
        raise LookupError(f"no element with text {text!r} on the page")
    found[0].click()
    time.sleep(0.5)


def _row_buttons(driver: webdriver.Chrome, figure: str):
    """The (view, info) buttons of a figure's row in a category's list."""
    cell = driver.find_element(By.XPATH, f"//td[normalize-space(text())='{figure}']")
    return cell.find_elements(By.XPATH, "./ancestor::tr[1]//a")


def _body(driver: webdriver.Chrome) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def check(report: Path, screenshot: Path | None) -> list[str]:
    """Every declared figure is listed under its paper, shows its caption and its image."""
    problems = []
    driver = _browser()
    try:
        for slug, paper in discover().items():
            for fig in paper.figures:
                driver.get(report.resolve().as_uri())
                time.sleep(1)
                try:
                    _click_text(driver, slug)
                    _, info = _row_buttons(driver, fig.name)
                except (LookupError, ValueError, NoSuchElementException):
                    problems.append(f"{slug}: figure {fig.name} is not listed")
                    continue
                info.click()
                time.sleep(0.5)
                if fig.caption[:40] not in " ".join(_body(driver).split()):
                    problems.append(f"{slug}: the caption of {fig.name} is not shown")
                _click_text(driver, slug)
                _row_buttons(driver, fig.name)[0].click()
                time.sleep(0.5)
                if not driver.find_elements(By.XPATH, "//img | //embed | //iframe"):
                    problems.append(f"{slug}: the image of {fig.name} is not shown")
                elif screenshot is not None and not screenshot.exists():
                    driver.save_screenshot(str(screenshot))
    finally:
        driver.quit()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--screenshot", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.report.is_file():
        parser.error(f"{args.report} does not exist: run snakemake --report {args.report}")
    problems = check(args.report, args.screenshot)
    for line in problems:
        print(f"report: {line}", file=sys.stderr)
    n = sum(len(p.figures) for p in discover().values())
    print(f"report {args.report}: {n} figures expected, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
