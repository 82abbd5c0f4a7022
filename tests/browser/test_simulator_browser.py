"""The chat simulator in a real headless Chromium, through the real path.

The page acts as the user; the emulator signs, encrypts and delivers to the
bot's webhook over HTTP; the worker (RQ's SimpleWorker, run here between the
page's steps) recognizes with the offline engine; the emulator receives the
pushed answer and the page shows it. Screenshots go to ``artifacts/``.

Chromium is Debian's (``scripts/system-packages.sh`` installs it): Playwright
never downloads a browser here.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bot.devtools import simulator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ADMIN = "sim-admin"
NUMBER = "6222020200112233446"  # Luhn-valid


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], "the page's script failed"


@pytest.fixture
def simulated(make_bot, emulator):
    """A bot wired like ``ocrbot dev`` (simulator mounted, msgmenu, an admin), and the page URL."""

    def start(**overrides):
        bot = make_bot(
            emulator_url=emulator.url,
            wechat_menu_style="msgmenu",
            admin_users=f"official:{ADMIN},wecom:{ADMIN}",
            wechat_allow_plaintext=True,  # as `ocrbot dev` with generated keys: both modes
            **overrides,
        )
        emulator.set_webhook_base(bot.url)
        return bot, f"{bot.url}/simulator/?debug"

    return start


def work_until(bot, done: Callable[[], bool], timeout: float = 60) -> None:
    """Run the queued jobs until ``done()``: the page's deliveries arrive in their own time."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the page never showed the expected answer"
        bot.work()
        time.sleep(0.1)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_official_account_id_card_photo_to_masked_result(simulated, page: Page) -> None:
    bot, url = simulated(ocr_engine="local")
    page.goto(url)
    expect(page.locator("#title")).to_have_text(simulator.ACCOUNT_NAME)

    page.click("#plus")
    page.click('[data-sample="idcard-front.jpg"]')
    chat = page.locator("#chat-official")
    expect(chat.locator(".bubble.photo img")).to_be_visible()
    menu_item = chat.locator('[data-menu="身份证"]')
    work_until(bot, lambda: menu_item.count() > 0)  # the msgmenu is pushed by a job

    menu_item.first.click()
    expect(chat.locator('.row.me .bubble:text-is("身份证")')).to_be_visible()
    expect(chat).to_contain_text("正在识别身份证")  # the passive reply
    result = chat.locator('.row.bot .bubble:has-text("身份证号：")')
    work_until(bot, lambda: result.count() > 0)

    text = result.inner_text()
    assert "姓名：" in text
    assert "身份证号：513***********4415" in text  # masked: first 3 and last 4 digits only
    assert "513" + "****" not in text.replace("*" * 11, "")  # no digits leak into the mask
    assert "✅ 身份证号校验位正确" in text

    # The debug drawer shows the exchanges as WeChat sees them, and the pushed calls.
    log = page.locator("#log")
    expect(log.locator("li.exchange")).to_have_count(2)
    expect(log).to_contain_text("POST /wechat · image · 200")
    expect(log).to_contain_text("/cgi-bin/message/custom/send")
    first = log.locator("li.exchange").first
    first.locator("summary").click()
    expect(first).to_contain_text("<Encrypt>")  # safe mode: the request as sent is encrypted
    expect(first).to_contain_text("<MsgType><![CDATA[image]]></MsgType>")  # ... and decrypted
    tapped = log.locator("li.exchange").nth(1)
    tapped.locator("summary").click()
    expect(tapped).to_contain_text("<bizmsgmenuid>")  # a tap carries its item's id, as in WeChat
    screenshot(page, "simulator-official-idcard.png")


def test_wecom_card_buttons_and_admin_toggle(simulated, page: Page) -> None:
    bot, url = simulated(ocr_engine="wechat")  # the cloud engine, answering a canned result
    sample = simulator.SAMPLES_DIR / "bankcard.jpg"
    canned = {"errcode": 0, "errmsg": "ok", "number": NUMBER}
    bot.emulator_post(
        "ocr", sha256=hashlib.sha256(sample.read_bytes()).hexdigest(), response=canned
    )
    page.goto(url)
    page.click('[data-channel="wecom"]')
    expect(page.locator('[data-mode="safe"]')).to_be_disabled()  # WeCom is always encrypted
    page.check("#admin")

    page.click("#plus")
    page.click('[data-sample="bankcard.jpg"]')
    chat = page.locator("#chat-wecom")
    button = chat.locator('.card button[data-key="bankcard"]')
    work_until(bot, lambda: button.count() > 0)  # the card is pushed by a job
    assert bot.messages(ADMIN)[0]["body"]["msgtype"] == "template_card"  # sent as the admin

    button.click()
    expect(chat.locator(".card .chosen")).to_contain_text("银行卡")  # passive update_button
    result = chat.locator('.row.bot .bubble:has-text("卡号")')
    work_until(bot, lambda: result.count() > 0)
    assert NUMBER not in result.inner_text()
    assert "3446" in result.inner_text()
    assert "✅" in result.inner_text()  # the Luhn check passes
    screenshot(page, "simulator-wecom-bankcard.png")


def test_plaintext_mode_and_the_numbered_menu_without_msgmenu(simulated, page: Page) -> None:
    bot, url = simulated(ocr_engine="wechat")
    sample = simulator.SAMPLES_DIR / "bankcard.jpg"
    canned = {"errcode": 0, "errmsg": "ok", "number": NUMBER}
    bot.emulator_post(
        "ocr", sha256=hashlib.sha256(sample.read_bytes()).hexdigest(), response=canned
    )
    page.goto(url)
    page.click('[data-mode="plain"]')
    page.uncheck("#msgmenu")  # the account may not use msgmenu: 40200, the bot falls back
    expect(page.locator("#chat-official")).to_contain_text("数字菜单")
    assert bot.emulator.state.knobs.msgmenu_allowed is False

    page.click("#plus")
    page.click('[data-sample="bankcard.jpg"]')
    chat = page.locator("#chat-official")
    menu = chat.locator('.row.bot .bubble:has-text("2. 银行卡")')
    work_until(bot, lambda: menu.count() > 0)

    page.fill("#text", "2")
    page.press("#text", "Enter")
    expect(chat.locator('.row.me .bubble:text-is("2")')).to_be_visible()
    expect(chat).to_contain_text("正在识别银行卡")
    result = chat.locator('.row.bot .bubble:has-text("卡号")')
    work_until(bot, lambda: result.count() > 0)
    assert NUMBER not in result.inner_text()

    log = page.locator("#log")
    expect(log).to_contain_text("errcode 40200")  # msgmenu refused, as a real account would
    first = log.locator("li.exchange").first
    first.locator("summary").click()
    expect(first).not_to_contain_text("<Encrypt>")  # plaintext mode
