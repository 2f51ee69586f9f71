"""Reads a task's row from taskiq-dashboard's page in headless Chromium (selenium).

Usage: dashboard_page.py <dashboard url> <task id> [--timeout seconds]

Opens the task list, reloading until the row `task-list-item-<uuid>` shows a final status
(Completed or Failure), reads its cells, then follows the row's link to the task's details page
and reads its positional arguments, keyword arguments and error. Prints one line:
  row {"id": ..., "name": ..., "status": ..., "worker": ..., "args": [...], "kwargs": {...}, "error": ...}
or exits 1 with `error <why>` on stdout.
"""
import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

FINAL = {"Completed", "Failure"}


def browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--window-size=1600,1000", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return webdriver.Chrome(options=options, service=service)


def read_row(driver, row_id):
    row = driver.find_element(By.ID, row_id)
    cells = [cell.text.strip() for cell in row.find_elements(By.TAG_NAME, "td")]
    link = row.find_element(By.TAG_NAME, "a").get_attribute("href")
    # Default columns: checkbox, id, name, status, worker, started, finished, runtime.
    return {"id": cells[1], "name": cells[2], "status": cells[3], "worker": cells[4]}, link


def section_json(driver, heading):
    """The JSON in the <pre> under the <h3> titled `heading`, or None when the page says there is none."""
    block = driver.find_element(By.XPATH, f"//h3[normalize-space()='{heading}']/..")
    pres = block.find_elements(By.TAG_NAME, "pre")
    if not pres:
        return None
    text = pres[0].text
    try:
        return json.loads(text)
    except ValueError:
        return text


def main():
    # Chromium is the heaviest process of the suite; at a lower priority (inherited by
    # chromedriver and the browser) it cannot starve the workers and servers under test on a
    # 2-core machine, whose timing-sensitive tests (leases, heartbeats) run at the same time.
    os.nice(10)
    # The test process blocks signals and Foundation's Process passes its mask on. SIGTERM
    # unwinds through `finally`, so the browser and its driver never outlive this script.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("task_id")
    parser.add_argument("--timeout", type=float, default=60)
    arguments = parser.parse_args()
    task_id = str(uuid.UUID(arguments.task_id))
    row_id = f"task-list-item-{task_id}"
    profile = tempfile.mkdtemp(prefix="taskiq-chromium-")
    driver = None
    try:
        driver = browser(profile)
        driver.set_page_load_timeout(30)
        deadline = time.monotonic() + arguments.timeout
        row, link, last = None, None, "the row never appeared"
        while time.monotonic() < deadline:
            driver.get(arguments.url.rstrip("/") + "/")
            try:
                row, link = read_row(driver, row_id)
                if row["status"] in FINAL:
                    break
                last = f"the row's status is still {row['status']!r}"
            except (NoSuchElementException, StaleElementReferenceException, IndexError):
                pass
            time.sleep(0.25)  # paces the reloads against the deadline
        else:
            print(f"error {last} after {arguments.timeout}s; page: {driver.page_source[:2000]!r}", flush=True)
            return 1
        driver.get(link)
        row["args"] = section_json(driver, "Positional arguments")
        row["kwargs"] = section_json(driver, "Keyword arguments")
        row["error"] = section_json(driver, "Error")
        row["result"] = section_json(driver, "Result")
        print("row " + json.dumps(row), flush=True)
        return 0
    except WebDriverException as error:
        print(f"error the browser failed: {error.msg}", flush=True)
        return 1
    finally:
        if driver is not None:
            driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
