from odoo.tests import tagged

from .common import OsmdCommon


@tagged("post_install", "-at_install", "osmd")
class TestRegistryTrail(OsmdCommon):
    """Ownership, holder and resident lines leave a trail on the premise/account chatter."""

    def _notes(self, record):
        return self.env["mail.message"].search(
            [("model", "=", record._name), ("res_id", "=", record.id), ("message_type", "=", "notification")],
            order="id desc",
        )

    def test_share_change_by_the_board_is_logged_with_old_and_new_values(self):
        premise = self.data_a["premises"][1]
        ownership = self.env["osmd.ownership"].search([("premise_id", "=", premise.id)], limit=1)
        before = self._notes(premise)
        board = self.users_a["board"]
        ownership.with_user(board).write({"document_number": "1234-АБ", "document_date": "2026-03-31"})
        note = self._notes(premise) - before
        self.assertEqual(len(note), 1)
        self.assertTrue(note.is_internal, "the trail is an internal note, never shown to residents")
        self.assertEqual(note.author_id, board.partner_id)
        self.assertIn("31.03.2026", note.body)
        self.assertIn("1234-АБ", note.body)
        self.assertIn("—", note.body, "the old empty value is shown")

    def test_creation_and_removal_are_logged(self):
        account = self.data_a["accounts"][0]
        accountant = self.users_a["accountant"]
        partner = self.env["res.partner"].create({"name": "Мельник Ганна", "company_id": self.company_a.id})
        resident = (
            self.env["osmd.resident"]
            .with_user(accountant)
            .create(
                {"account_id": account.id, "partner_id": partner.id, "relation": "tenant", "date_start": "2026-01-01"}
            )
        )
        added = self._notes(account)[:1]
        self.assertIn("Мельник Ганна", added.body)
        self.assertEqual(added.author_id, accountant.partner_id)
        resident.with_user(accountant).unlink()
        removed = self._notes(account)[:1]
        self.assertNotEqual(added, removed)
        self.assertIn("Мельник Ганна", removed.body)
        self.assertIn("01.01.2026", removed.body)

    def test_no_context_key_hides_a_change(self):
        account = self.data_a["accounts"][0]
        line = account.holder_line_ids[:1]
        before = self._notes(account)
        line.with_user(self.users_a["accountant"]).with_context(
            tracking_disable=True, mail_notrack=True, osmd_no_trail=True
        ).write({"document": "договір 7"})
        self.assertEqual(len(self._notes(account) - before), 1)

    def test_trail_is_read_by_own_audit_commission_only(self):
        premise = self.data_a["premises"][0]
        ownership = self.env["osmd.ownership"].search([("premise_id", "=", premise.id)], limit=1)
        ownership.with_user(self.users_a["board"]).write({"document_number": "55"})
        note = self._notes(premise)[:1]
        self.assertTrue(note.with_user(self.users_a["audit"]).has_access("read"))
        self.assertFalse(note.with_user(self.users_b["audit"]).has_access("read"))
