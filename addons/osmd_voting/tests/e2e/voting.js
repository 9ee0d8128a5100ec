// An owner votes online on a phone and changes the vote; the chairman sees the tally change; after the deadline the
// vote is refused. Run by osmd_voting/tests/test_browser.py (see osmd_portal's lib.js).
"use strict";

const path = require("path");
const {report, check, shot, login, checkFits, collectLatin, main} = require(
    path.join(__dirname, "../../../osmd_portal/tests/e2e/lib")
);

main(async (browser, config) => {
    const meetingUrl = `/my/meetings/${config.meeting_id}`;
    const owner = await login(browser, config, config.owner);
    await owner.goto("/my");
    await owner.click(`a[href='${meetingUrl}']`);
    await owner.locator("form.o_osmd_ballot").waitFor();
    await checkFits(owner, "meeting");
    await collectLatin(owner);
    report("ballot", {screenshot: await shot(owner, config, "30-ballot")});

    async function vote(choices) {
        for (const [questionId, choice] of Object.entries(choices)) {
            await owner.check(`input[name='question_${questionId}'][value='${choice}']`);
        }
        await Promise.all([owner.waitForNavigation(), owner.click("form.o_osmd_ballot button[type=submit]")]);
    }

    // 1. the first vote
    await vote({[config.q1]: "for", [config.q2]: "against"});
    await owner.locator(".alert-success").waitFor();
    await collectLatin(owner);
    report("voted", {screenshot: await shot(owner, config, "31-voted")});

    // 2. the chairman's tally
    const chairman = await login(browser, config, config.chairman);
    const formUrl = `/odoo/action-osmd_voting.osmd_meeting_action/${config.meeting_id}`;
    async function tally() {
        await chairman.goto(formUrl);
        const agenda = chairman.locator("div[name=question_ids]");
        await agenda.waitFor();
        return (await agenda.innerText()).replace(/\s+/g, " ");
    }
    const before = await tally();
    report("tally_before", {text: before, screenshot: await shot(chairman, config, "32-tally")});

    // 3. the owner changes the vote on question 1
    await owner.goto(meetingUrl);
    await vote({[config.q1]: "against"});
    await owner.locator(".alert-success").waitFor();
    // the chairman reloads the form until the tally shows the change (a few seconds at most)
    let after = await tally();
    for (let attempt = 0; attempt < 5 && after === before; attempt++) {
        await chairman.waitForTimeout(1000);
        after = await tally();
    }
    report("tally_after", {text: after, screenshot: await shot(chairman, config, "33-tally-changed")});

    // 4. the deadline passes (the chairman sets it, as in the form); the owner's next vote is refused
    await owner.goto(meetingUrl);
    const result = await chairman.evaluate(
        async ({id, deadline}) => {
            const response = await fetch("/web/dataset/call_kw/osmd.meeting/write", {
                method: "POST",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({
                    jsonrpc: "2.0",
                    method: "call",
                    params: {model: "osmd.meeting", method: "write", args: [[id], {online_deadline: deadline}], kwargs: {}},
                }),
            });
            return response.json();
        },
        {id: config.meeting_id, deadline: config.past_deadline}
    );
    check(!result.error, `the chairman could not move the deadline: ${JSON.stringify(result.error)}`);
    await owner.check(`input[name='question_${config.q1}'][value='abstain']`);
    await Promise.all([owner.waitForNavigation(), owner.click("form.o_osmd_ballot button[type=submit]")]);
    const refusal = (await owner.locator(".alert-danger").innerText()).trim();
    await checkFits(owner, "refused vote");
    await collectLatin(owner);
    report("refused", {message: refusal, screenshot: await shot(owner, config, "34-vote-refused")});
});
