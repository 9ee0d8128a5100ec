// The chairman opens the board's dashboard on a 390 px phone, narrows it to one entrance and opens the debtors behind
// the debt figure; the engineer sees readings and requests but no money. Run by osmd_dashboard/tests/test_browser.py
// (see osmd_portal's lib.js).
"use strict";

const path = require("path");
const {report, check, shot, login, checkFits, collectLatin, main} = require(
    path.join(__dirname, "../../../osmd_portal/tests/e2e/lib")
);

const URL = "/odoo/action-osmd_dashboard.osmd_dashboard_action";

main(async (browser, config) => {
    // 1. the chairman's dashboard for the period of the test
    const chairman = await login(browser, config, config.chairman);
    await chairman.goto(URL);
    const debt = chairman.locator(".o_osmd_card[name=debt] .o_osmd_figure");
    await debt.waitFor();
    // the period: the two date fields (Odoo's date picker, typed in the user's format)
    for (const [selector, value] of [
        ["input.o_osmd_date_from", config.date_from],
        ["input.o_osmd_date_to", config.date_to],
    ]) {
        await chairman.fill(selector, value);
        await chairman.press(selector, "Enter");
        await chairman.waitForTimeout(300);
    }
    await chairman.locator(".o_osmd_dashboard .spinner-border").waitFor({state: "detached"});
    await chairman.waitForFunction(
        (expected) => document.querySelector(".o_osmd_card[name=charged]")?.innerText.includes(expected),
        config.period_label
    );
    await checkFits(chairman, "dashboard");
    await collectLatin(chairman);
    report("whole", {
        debt: (await debt.innerText()).trim(),
        debtors: (await chairman.locator(".o_osmd_debtor_count").innerText()).trim(),
        charged: (await chairman.locator(".o_osmd_card[name=charged]").innerText()).replace(/\s+/g, " "),
        trend: (await chairman.locator(".o_osmd_trend tbody tr").count()),
        screenshot: await shot(chairman, config, "40-dashboard"),
    });

    // 2. one entrance
    await chairman.selectOption("select[name=building]", String(config.building_id));
    await chairman.locator("input.o_osmd_entrances").waitFor();
    await chairman.fill("input.o_osmd_entrances", "2");
    await chairman.press("input.o_osmd_entrances", "Tab");
    await chairman.waitForFunction(
        (before) => document.querySelector(".o_osmd_card[name=debt] .o_osmd_figure")?.innerText.trim() !== before,
        (await debt.innerText()).trim()
    );
    report("entrance", {
        debt: (await debt.innerText()).trim(),
        screenshot: await shot(chairman, config, "41-dashboard-entrance"),
    });

    // 3. the debtors behind the debt figure
    await chairman.selectOption("select[name=building]", "0");
    await chairman.waitForFunction(
        (expected) => document.querySelector(".o_osmd_debtor_count")?.innerText.trim() === expected,
        config.debtor_count
    );
    await debt.click();
    await chairman.locator(".o_data_row").first().waitFor();
    const rows = await chairman.locator(".o_data_row").count();
    await collectLatin(chairman);
    report("debtors", {rows, screenshot: await shot(chairman, config, "42-debtors")});

    // 4. the engineer: readings and requests, no money
    const engineer = await login(browser, config, config.engineer);
    await engineer.goto(URL);
    await engineer.locator(".card[name=readings]").waitFor();
    check((await engineer.locator(".o_osmd_card[name=debt]").count()) === 0, "the engineer sees the debt");
    await checkFits(engineer, "engineer's dashboard");
    await collectLatin(engineer);
    report("engineer", {
        text: (await engineer.locator(".o_osmd_dashboard").innerText()).replace(/\s+/g, " "),
        screenshot: await shot(engineer, config, "43-dashboard-engineer"),
    });
});
