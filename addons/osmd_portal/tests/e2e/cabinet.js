// The resident cabinet end to end on a phone: run by osmd_portal/tests/test_browser.py (see lib.js).
"use strict";

const fs = require("fs");
const path = require("path");
const {report, check, shot, login, checkFits, collectLatin, main} = require("./lib");

async function resident(browser, config) {
    const page = await login(browser, config, config.resident);
    const account = config.account;

    // 1. /my: the balance and the date to pay by
    await page.goto("/my");
    const home = await page.locator("main").innerText();
    check(home.includes(account.number), `/my does not show the account ${account.number}`);
    check(home.includes(config.due), `/my does not show the amount due ${config.due}: ${home}`);
    check(home.includes(config.pay_by), `/my does not show "pay by" ${config.pay_by}`);
    // no way into Odoo's generic invoice list or saved cards: the account cards are the resident's way to pay
    for (const link of ["/my/invoices", "/my/payment_method"]) {
        check(!(await page.locator(`main a[href^="${link}"]:visible`).count()), `/my links to ${link}`);
    }
    await checkFits(page, "/my");
    await collectLatin(page);
    report("home", {screenshot: await shot(page, config, "01-resident-home")});

    // 2. the account page and its receipt PDF
    await page.click(`.o_osmd_account_card a[href="/my/accounts/${account.id}"]`);
    await page.waitForURL(`**/my/accounts/${account.id}`);
    await checkFits(page, "account page");
    await collectLatin(page);
    report("account", {screenshot: await shot(page, config, "02-account")});
    const receiptLink = page.locator(`a[href^="/my/accounts/${account.id}/receipts/${config.invoice_id}"]`).first();
    const href = await receiptLink.getAttribute("href");
    const response = await page.context().request.get(href);
    check(response.status() === 200, `receipt: HTTP ${response.status()}`);
    const body = await response.body();
    const pdf = body.subarray(0, 5).toString() === "%PDF-";
    check(pdf && response.headers()["content-type"] === "application/pdf", "the receipt is not a PDF");
    const receiptFile = path.join(config.artifacts, "03-receipt.pdf");
    fs.writeFileSync(receiptFile, body);
    report("receipt", {pdf, bytes: body.length, file: receiptFile});

    // 3. a reading: a too-low one refused with a clear message, then a right one checked and sent
    await page.goto("/my/meters");
    await page.click(`a[href="/my/meters/${config.meter.id}/reading"]`);
    await page.fill("#osmd_value1", config.meter.too_low);
    await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
    const refused = page.locator(".alert-danger");
    check(await refused.isVisible(), "a reading below the last one was not refused");
    const refusal = (await refused.innerText()).trim();
    await checkFits(page, "reading form");
    await collectLatin(page);
    report("reading_refused", {message: refusal, screenshot: await shot(page, config, "04-reading-too-low")});
    await page.fill("#osmd_value1", config.meter.value);
    await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
    const preview = (await page.locator("form [role=status]").innerText()).trim();
    await collectLatin(page);
    report("reading_preview", {preview, screenshot: await shot(page, config, "05-reading-preview")});
    await Promise.all([page.waitForNavigation(), page.click("form button.btn-primary[type=submit]")]);
    await page.waitForURL("**/my/meters?sent=1");
    const sent = await page.locator("main").innerText();
    check(sent.includes(config.meter.serial), "the meter is not on the page after sending");
    await collectLatin(page);
    report("reading_sent", {screenshot: await shot(page, config, "06-reading-sent")});

    // 4. pay a part through the association's card provider (the demo one)
    await page.goto(`/my/accounts/${account.id}`);
    await page.click(`.o_osmd_account_card a.btn-primary[href="/my/osmd/accounts/${account.id}/pay"]`);
    await page.fill("#osmd_pay_amount", config.pay);
    await Promise.all([page.waitForNavigation(), page.click("form button.btn-secondary[type=submit]")]);
    const radio = page.locator("input[name=o_payment_radio]").first();
    if (await radio.count()) {
        await radio.check({force: true});
    }
    await page.locator("#customer_input:visible").fill("4242424242424242");
    await checkFits(page, "payment page");
    await collectLatin(page);
    report("pay_form", {screenshot: await shot(page, config, "07-pay")});
    await page.click("button[name=o_payment_submit_button]");
    // the landing page after /payment/status (the pay form's own address has no tx_id: it must not match)
    await page.waitForURL(
        (url) => url.pathname.endsWith(`/my/osmd/accounts/${account.id}/pay`) && url.searchParams.has("tx_id"),
        {timeout: 60000}
    );
    const outcome = page.locator(".alert-success");
    await outcome.waitFor();
    await collectLatin(page);
    report("pay_done", {message: (await outcome.innerText()).trim(), screenshot: await shot(page, config, "08-paid")});

    // 5. the payment on the balance, at once
    await page.goto(`/my/accounts/${account.id}`);
    const balance = (await page.locator(".o_osmd_account_card strong.fs-3 span").first().innerText()).trim();
    const history = await page.locator("main").innerText();
    check(history.includes(config.pay), `the payment of ${config.pay} is not on the account page`);
    await collectLatin(page);
    // the electronic book and the notification preferences, as a resident opens them
    for (const [url, name] of [
        [`/my/accounts/${account.id}/book`, "09b-book"],
        ["/my/notifications", "09c-notifications"],
        ["/my/security", "09d-security"],
    ]) {
        await page.goto(url);
        await checkFits(page, url);
        await collectLatin(page);
        await shot(page, config, name);
    }
    for (const url of ["/my/account", "/my/addresses"]) {
        await page.goto(url);
        check(new URL(page.url()).pathname.endsWith("/my/notifications"), `${url} does not lead to /my/notifications`);
    }
    // the contact page: a wrong phone is refused with a message and nothing saved; a right one is kept
    await page.fill("#osmd_phone", "12345");
    await page.selectOption("#osmd_notify_readings", "sms");
    await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
    check(await page.locator("#osmd_phone_error").isVisible(), "a wrong phone number was not refused");
    await collectLatin(page);
    await shot(page, config, "09e-contact-error");
    await page.fill("#osmd_phone", config.phone);
    await page.selectOption("#osmd_notify_readings", "sms");
    await Promise.all([page.waitForNavigation(), page.click("main form button[type=submit]")]);
    check(await page.locator("main .alert-success").isVisible(), "the contact details were not saved");
    await shot(page, config, "09f-contact-saved");
    report("paid", {balance, screenshot: await shot(page, config, "09-new-balance")});
    return page;
}

async function engineer(browser, config) {
    // the engineer's queue of readings to confirm, on a phone: cards with a Confirm button
    const page = await login(browser, config, config.engineer);
    await page.goto("/odoo/action-osmd_metering.osmd_meter_reading_to_confirm_action");
    const card = page.locator(".o_kanban_record", {hasText: config.meter.serial});
    await card.waitFor();
    report("engineer_queue", {screenshot: await shot(page, config, "10-engineer-queue")});
    await card.locator("button[name=action_confirm]").click();
    await card.waitFor({state: "detached"});
    report("engineer_confirmed", {screenshot: await shot(page, config, "11-engineer-confirmed")});
}

main(async (browser, config) => {
    const page = await resident(browser, config);
    await engineer(browser, config);
    // the resident sees the reading confirmed
    await page.goto("/my/readings");
    const row = page.locator("table tbody tr", {hasText: config.meter.serial}).first();
    const status = (await row.locator("td").last().innerText()).trim();
    await collectLatin(page);
    report("resident_sees_confirmed", {status, screenshot: await shot(page, config, "12-reading-confirmed")});
});
