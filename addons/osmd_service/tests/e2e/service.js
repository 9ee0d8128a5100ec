// A service request end to end on phones: run by osmd_service/tests/test_browser.py (see osmd_portal's lib.js).
"use strict";

const path = require("path");
const {report, check, shot, login, checkFits, collectLatin, main} = require(
    path.join(__dirname, "../../../osmd_portal/tests/e2e/lib")
);

main(async (browser, config) => {
    // 0. the chairman publishes the announcement to the first building, on the phone
    const chairman = await login(browser, config, config.chairman);
    await chairman.goto(`/odoo/action-osmd_service.osmd_announcement_action/${config.announcement.id}`);
    await chairman.locator("button[name=action_publish]").click();
    await chairman.locator(".modal button.btn-primary").click();
    await chairman.locator("button[name=action_archive_announcement]").waitFor();
    report("announcement_published", {screenshot: await shot(chairman, config, "19-announcement-published")});

    // its building's resident sees it and opens it; the other building's does not see it
    const neighbour = await login(browser, config, config.other);
    await neighbour.goto("/my");
    const sees = (await neighbour.locator("main").innerText()).includes(config.announcement.title);
    report("other_building", {sees});
    // 1. the resident reports an emergency with a photo, from the phone
    const resident = await login(browser, config, config.resident);
    await resident.goto("/my");
    await resident.click(`a[href='/my/announcements/${config.announcement.id}']`);
    await resident.locator("main h1", {hasText: config.announcement.title}).waitFor();
    await checkFits(resident, "announcement");
    await collectLatin(resident);
    report("announcement_read", {screenshot: await shot(resident, config, "19b-announcement")});
    await resident.goto("/my");
    await resident.click("a[href='/my/requests/new']");
    await resident.selectOption("#osmd_category", String(config.category_id));
    await resident.fill("#osmd_subject", config.subject);
    await resident.fill("#osmd_description", "З учорашнього вечора капає зі стояка у ванній.");
    await resident.setInputFiles("#osmd_photos", config.photo);
    await checkFits(resident, "new request");
    await collectLatin(resident);
    report("request_form", {screenshot: await shot(resident, config, "20-request-new")});
    await Promise.all([resident.waitForNavigation(), resident.click("main form button[type=submit]")]);
    check(/\/my\/requests\/\d+/.test(resident.url()), `not on the request's page: ${resident.url()}`);
    const requestId = Number(resident.url().match(/\/my\/requests\/(\d+)/)[1]);
    await resident.locator("#chatterRoot .o-mail-Composer, #chatterRoot textarea").first().waitFor();
    await checkFits(resident, "request page");
    await collectLatin(resident);
    report("request_sent", {id: requestId, screenshot: await shot(resident, config, "21-request-sent")});

    // 2. the engineer opens it on the phone, takes it in work and answers
    const engineer = await login(browser, config, config.engineer);
    await engineer.goto(`/odoo/helpdesk.ticket/${requestId}`);
    await engineer.locator(".o_form_view").waitFor();
    await engineer.locator(".o_statusbar_status .dropdown-toggle:visible").click();
    // on a phone the stages open as a sheet that slides in: the item is clicked once it is there
    const item = engineer.locator(".dropdown-menu .dropdown-item", {hasText: config.stage_in_progress});
    await item.waitFor();
    await item.dispatchEvent("click");
    await engineer.locator(".o_statusbar_status .dropdown-toggle:visible", {hasText: config.stage_in_progress}).waitFor();
    await engineer.locator("button.o-mail-Chatter-sendMessage").click();
    await engineer.locator(".o-mail-Composer-input").fill(config.reply);
    await engineer.locator(".o-mail-Composer-send:visible").click();
    await engineer.locator(".o-mail-Message", {hasText: config.reply}).waitFor();
    report("engineer_answered", {screenshot: await shot(engineer, config, "22-engineer-request")});

    // 3. the resident sees the new stage and the answer
    await resident.reload();
    await resident.locator(".o-mail-Message", {hasText: config.reply}).waitFor();
    const stage = (await resident.locator("dl dd").first().innerText()).trim();
    await collectLatin(resident);
    report("resident_sees", {stage, screenshot: await shot(resident, config, "23-request-answered")});

    // 4. the engineer closes it with a note from the phone
    await engineer.reload();
    await engineer.locator(".o_form_view").waitFor();
    await engineer.locator("button", {hasText: config.close_button}).click();
    await engineer.locator(".modal div[name=note] textarea").fill(config.close_note);
    report("close_form", {screenshot: await shot(engineer, config, "24-engineer-close")});
    await engineer.locator(".modal button[name=action_close]").click();
    await engineer.locator(".modal").waitFor({state: "detached"});
    await engineer.locator(".o-mail-Message", {hasText: config.close_note}).waitFor();

    // 5. the resident reads the note and rates the request
    await resident.reload();
    await resident.locator(".o-mail-Message", {hasText: config.close_note}).waitFor();
    await resident.locator("#osmd_rating input[name=score][value='5']").check();
    await resident.fill("#osmd_feedback", config.feedback);
    await checkFits(resident, "rating");
    await collectLatin(resident);
    report("rating_form", {screenshot: await shot(resident, config, "25-request-rate")});
    await Promise.all([resident.waitForNavigation(), resident.click("#osmd_rating button[type=submit]")]);
    const rated = (await resident.locator("#osmd_rating").innerText()).trim();
    await collectLatin(resident);
    report("rated", {rated, stage: (await resident.locator("dl dd").first().innerText()).trim(),
        screenshot: await shot(resident, config, "26-request-rated")});
});
