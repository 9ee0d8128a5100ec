// What the browser scenarios of the suite share (Debian's chromium driven by playwright-core, no browser download):
// signing in on a phone viewport, screenshots, and the checks every page a resident sees must pass (no sideways
// scrolling, no English left, WCAG AA contrast). A scenario is run by a Python test (osmd_portal/tests/browser.py)
// that passes its configuration as JSON on stdin; each step prints one JSON line.
"use strict";

const fs = require("fs");
const path = require("path");
const {chromium} = require("playwright-core");

const PHONE = {viewport: {width: 390, height: 844}, isMobile: true, hasTouch: true, deviceScaleFactor: 2};

function report(step, details = {}) {
    process.stdout.write(JSON.stringify({step, ...details}) + "\n");
}

function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

async function shot(page, config, name) {
    const file = path.join(config.artifacts, `${name}.png`);
    await page.screenshot({path: file, fullPage: true});
    return file;
}

async function login(browser, config, who) {
    // a phone set to English: the pages must still speak the association's language, not the browser's
    const context = await browser.newContext({...PHONE, locale: "en-US", baseURL: config.base_url});
    context.setDefaultTimeout(30000);
    if (config.cookie) {
        // Odoo's test server serves only requests that carry the running test's key
        await context.addCookies([{...config.cookie, path: "/"}]);
    }
    const page = await context.newPage();
    await page.goto("/web/login");
    await page.fill("#login", who.login);
    await page.fill("#password", who.password);
    await Promise.all([page.waitForNavigation(), page.click("form.oe_login_form button[type=submit]")]);
    return page;
}

// Nothing wider than the phone: a page a resident must scroll sideways is broken
async function checkFits(page, what) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 390, `${what}: the page is ${width} px wide on a 390 px phone`);
}

// Text whose contrast with its background is below WCAG AA (4.5:1, large text 3:1)
const CONTRAST = {};
async function collectContrast(page) {
    const failures = await page.evaluate(() => {
        const parse = (value) => {
            const m = value.match(/rgba?\(([^)]+)\)/);
            if (!m) {
                return null;
            }
            const [r, g, b, a = 1] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
            return {r, g, b, a};
        };
        const luminance = ({r, g, b}) => {
            const channel = (v) => {
                const c = v / 255;
                return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
            };
            return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
        };
        const background = (element) => {
            for (let node = element; node; node = node.parentElement) {
                const color = parse(getComputedStyle(node).backgroundColor);
                if (color && color.a > 0.5) {
                    return color;
                }
            }
            return {r: 255, g: 255, b: 255, a: 1};
        };
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent.trim();
            const element = node.parentElement;
            if (!text || !element || !element.checkVisibility || !element.checkVisibility()) {
                continue;
            }
            const style = getComputedStyle(element);
            const fg = parse(style.color);
            if (!fg || element.closest("select, [aria-hidden=true]")) {
                continue;
            }
            const [l1, l2] = [luminance(fg), luminance(background(element))].sort((a, b) => b - a);
            const ratio = (l1 + 0.05) / (l2 + 0.05);
            const size = parseFloat(style.fontSize);
            const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
            if (ratio < (large ? 3 : 4.5)) {
                const where = `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`;
                out.push(`${text.slice(0, 40)} (${ratio.toFixed(2)}, ${where}, ${style.color})`);
            }
        }
        return out;
    });
    const url = new URL(page.url()).pathname;
    CONTRAST[url] = [...new Set([...(CONTRAST[url] || []), ...failures])];
}

// Latin words a resident sees on a page (the test allows codes such as IBAN; anything else is English left over)
const LATIN = {};
async function collectLatin(page) {
    // e-mail addresses and the ledger's document numbers (journal code / year / number) are not words
    const words = await page.evaluate(
        () =>
            [
                document.body.innerText,
                // what a screen reader or an empty field says counts as much as the text
                ...[...document.querySelectorAll("[placeholder], [aria-label], [title], img[alt]")]
                    .filter((element) => element.checkVisibility())
                    .map((element) =>
                        ["placeholder", "aria-label", "title", "alt"].map((name) => element.getAttribute(name) || "")
                    )
                    .flat(),
            ]
                .join(" ")
                .replace(/\S+@\S+/g, " ")
                .replace(/\b[A-Z][A-Z0-9]*\/\S+/g, " ")
                .match(/[A-Za-z][A-Za-z'’]{2,}/g) || []
    );
    const url = new URL(page.url()).pathname;
    const lang = await page.evaluate(() => document.documentElement.lang);
    LATIN[url] = [...new Set([...(LATIN[url] || []), ...words, ...(lang === "uk-UA" ? [] : [`<html lang="${lang}">`])])];
    await collectContrast(page);
}

/**
 * Run ``scenario(browser, config)``: the configuration from stdin, the browser launched and closed, on a failure a
 * screenshot of every open page; at the end the Latin words and low-contrast texts of the pages collected.
 */
async function run(scenario) {
    const config = JSON.parse(fs.readFileSync(0, "utf8"));
    const browser = await chromium.launch({
        executablePath: config.chromium,
        args: ["--no-sandbox", "--disable-dev-shm-usage"],
    });
    try {
        await scenario(browser, config);
        report("latin", {pages: LATIN});
        report("contrast", {pages: CONTRAST});
    } catch (error) {
        for (const [index, context] of browser.contexts().entries()) {
            for (const [number, open] of context.pages().entries()) {
                await open.screenshot({
                    path: path.join(config.artifacts, `failure-${index}-${number}.png`),
                    fullPage: true,
                });
                process.stderr.write(`${open.url()}\n`);
            }
        }
        throw error;
    } finally {
        await browser.close();
    }
}

function main(scenario) {
    run(scenario).catch((error) => {
        process.stderr.write(`${error.stack || error}\n`);
        process.exit(1);
    });
}

module.exports = {PHONE, report, check, shot, login, checkFits, collectLatin, main};
