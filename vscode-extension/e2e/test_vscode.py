"""End to end in a real VS Code (code-server, driven by Playwright with
Debian's Chromium): open the example mesh, type a column that is not in the
producer's contract, see the squiggle and the Problems entry, hover the
product to read its contract, fix the column, see the error clear.

Started by scripts/test-vscode.sh, which installs everything, packages the
extension and starts code-server; this file only drives the browser.
"""

import os
import pathlib
import re

import pytest
from playwright.sync_api import Page, expect, sync_playwright

URL = os.environ["E2E_URL"]
WORKSPACE = pathlib.Path(os.environ["E2E_WORKSPACE"])
ARTIFACTS = pathlib.Path(os.environ["E2E_ARTIFACTS"])
MODEL = "customer_orders.sql"
# Every wait is bounded.
LOAD = 90_000
DIAGNOSTIC = 60_000


@pytest.fixture
def page():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        messages = []
        page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
        yield page
        browser.close()


def shot(page: Page, name: str):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def open_file(page: Page, name: str):
    page.keyboard.press("Control+P")
    box = page.locator(".quick-input-widget input")
    expect(box).to_be_visible(timeout=LOAD)
    box.fill(name)
    result = page.locator(".quick-input-list .monaco-list-row", has_text=name).first
    expect(result).to_be_visible(timeout=LOAD)
    result.click()
    expect(page.locator(".tabs-container .tab", has_text=name)).to_be_visible(timeout=LOAD)


def replace_line(page: Page, line: int, text: str):
    """Selects line `line` of the active editor and types `text` over it."""
    page.keyboard.press("Control+G")
    box = page.locator(".quick-input-widget input")
    expect(box).to_be_visible(timeout=LOAD)
    # `:N` goes to line N in both the go-to-line and the quick-open modes.
    box.fill(f":{line}")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    expect(box).to_be_hidden(timeout=LOAD)
    page.keyboard.press("Home")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.insert_text(text)


def test_live_contract_error_hover_and_fix(page: Page):
    page.goto(f"{URL}/?folder={WORKSPACE}", timeout=LOAD)
    expect(page.locator(".monaco-workbench")).to_be_visible(timeout=LOAD)
    open_file(page, MODEL)
    editor = page.locator(".monaco-editor").first
    editor.click()
    # The status bar shows the running server.
    expect(page.locator(".statusbar-item", has_text="meshc")).to_be_visible(timeout=LOAD)

    # Line 4 is `    min(order_date) as first_order,`: read a column the
    # contract of orders.stg_orders does not have.
    replace_line(page, 4, "    min(order_day) as first_order,")
    squiggle = page.locator(".monaco-editor .squiggly-error")
    expect(squiggle.first).to_be_visible(timeout=DIAGNOSTIC)
    page.keyboard.press("Control+Shift+M")
    row = page.locator(".markers-panel .monaco-list-row", has_text="not in the contract of orders.stg_orders")
    expect(row.first).to_be_visible(timeout=DIAGNOSTIC)
    expect(page.locator(".markers-panel")).to_contain_text("MESH2009")
    shot(page, "1-live-error")

    # Hover the product: its contract, as the consumer sees it.
    product = page.locator(".view-lines span", has_text=re.compile("stg_orders")).first
    product.hover()
    hover = page.locator(".monaco-hover")
    expect(hover.first).to_contain_text("orders.stg_orders", timeout=DIAGNOSTIC)
    expect(hover.first).to_contain_text("order_date")
    expect(hover.first).to_contain_text("version 1.0.0")
    shot(page, "2-hover-contract")
    page.mouse.move(5, 5)

    # Fix the column: the error clears.
    editor.click()
    replace_line(page, 4, "    min(order_date) as first_order,")
    expect(page.locator(".monaco-editor .squiggly-error")).to_have_count(0, timeout=DIAGNOSTIC)
    expect(row).to_have_count(0, timeout=DIAGNOSTIC)
    shot(page, "3-fixed")

    # The compiled SQL of the model, from the command palette.
    page.keyboard.press("F1")
    box = page.locator(".quick-input-widget input")
    expect(box).to_be_visible(timeout=LOAD)
    box.fill(">meshc: Show Compiled SQL")
    command = page.locator(".quick-input-list .monaco-list-row", has_text="Show Compiled SQL").first
    expect(command).to_be_visible(timeout=LOAD)
    command.click()
    expect(page.locator(".view-lines").last).to_contain_text('"orders"."stg_orders"', timeout=DIAGNOSTIC)
    shot(page, "4-compiled-sql")
