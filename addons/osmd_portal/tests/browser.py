"""The browser suite's Python side: a scenario (``tests/e2e/*.js``, see ``lib.js``) run with node against the
running test's Odoo server in Debian's chromium (playwright-core from npm, no browser download). Screenshots are kept
in ``var/log/e2e`` (``OSMD_E2E_ARTIFACTS``). A machine without node, chromium or playwright-core fails the test,
saying what to install: never skipped."""

import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

from odoo.tests.common import HOST, TEST_CURSOR_COOKIE_NAME

_logger = logging.getLogger(__name__)


def _repo_root():
    """The checkout holding ``node_modules/playwright-core`` (installed by ``make setup``)."""
    for folder in Path(__file__).resolve().parents:
        if (folder / "node_modules" / "playwright-core").is_dir():
            return folder
    return None


class BrowserSuite:
    """Mixin of an ``HttpCase``: ``_run_scenario(path, config)`` and the checks of the pages a resident saw."""

    # Latin on a Ukrainian page that is not English left over: the meter's serial, the bank's codes, the demo
    # provider's own test form (a real association's providers are LiqPay and Monobank), "Passkey" as Odoo's own
    # Ukrainian translation writes it ("Додати Passkey")
    LATIN_ALLOWED = frozenset(
        {
            "E2E",
            "WATER",
            "IBAN",
            "SMS",
            "PDF",
            "QR",
            "Demo",
            "Successful",
            "Pending",
            "Cancelled",
            "Error",
            "LiqPay",
            "Monobank",
            "Passkey",
            "XXXX",  # the demo provider's card number placeholder
        }
    )

    @classmethod
    def _load_ukrainian(cls):
        """Ukrainian for every installed module, Odoo's terms the cabinet fills in included (the pages are checked for
        English)."""
        cls.env["res.lang"]._activate_lang("uk_UA")
        installed = cls.env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        cls.env["ir.module.module"]._load_module_terms(installed, ["uk_UA"])
        cls.env["ir.ui.view"]._osmd_translate_odoo_terms()

    def _run_scenario(self, scenario, config):
        root = _repo_root()
        node = shutil.which("node")
        chromium = os.environ.get("OSMD_CHROMIUM") or shutil.which("chromium")
        # never skipped: a machine without them fails here, saying what to install
        self.assertTrue(root, "playwright-core is not installed: run `make setup` (npm ci)")
        self.assertTrue(node, "Node.js is not installed (apt-get install nodejs)")
        self.assertTrue(chromium, "Debian's chromium is not installed (apt-get install chromium)")
        artifacts = Path(os.environ.get("OSMD_E2E_ARTIFACTS") or root / "var" / "log" / "e2e")
        artifacts.mkdir(parents=True, exist_ok=True)
        config.update(base_url=self.base_url(), chromium=chromium, artifacts=str(artifacts))
        with self.allow_requests():
            # Odoo's test server answers only requests carrying this test's key (as in its own browser tests)
            config["cookie"] = {"name": TEST_CURSOR_COOKIE_NAME, "value": self.http_request_key, "domain": HOST}
            process = self._node(node, root, scenario, config)
        steps = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
        for step in steps:
            _logger.info("e2e: %s", step)
        self.assertEqual(process.returncode, 0, f"{process.stderr}\n{process.stdout}\nscreenshots in {artifacts}")
        return {step["step"]: step for step in steps}

    @staticmethod
    def _node(node, root, scenario, config):
        return subprocess.run(  # noqa: S603 - our own scenario, run with the node found on PATH
            # Odoo caps this process's address space (limit_memory_hard); node reserves more for WebAssembly
            ["/bin/sh", "-c", 'ulimit -v unlimited && exec "$0" "$@"', node, str(scenario)],
            input=json.dumps(config),
            capture_output=True,
            text=True,
            timeout=600,
            cwd=root,
            env={**os.environ, "NODE_PATH": str(root / "node_modules")},
            check=False,
        )

    def _assert_pages_clean(self, steps):
        """No English left on any page the resident saw (only the Latin of LATIN_ALLOWED), every text readable
        (WCAG AA contrast: 4.5:1, large text 3:1)."""
        english = {page: sorted(set(words) - self.LATIN_ALLOWED) for page, words in steps["latin"]["pages"].items()}
        self.assertFalse({page: words for page, words in english.items() if words}, "English words on the pages")
        low = {page: texts for page, texts in steps["contrast"]["pages"].items() if texts}
        self.assertFalse(low, "text below WCAG AA contrast")
