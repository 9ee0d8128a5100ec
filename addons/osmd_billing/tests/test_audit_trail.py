from odoo.tests import tagged

from .common import BillingCommon


@tagged("post_install", "-at_install", "osmd")
class TestAuditTrail(BillingCommon):
    """The trail of tariff changes is Odoo's own tracking (chatter), not OCA auditlog.

    OCA auditlog 19.0 was evaluated and left out: it is AGPL-3 (our addons are LGPL-3), its logs
    have no company (the audit commission of one association would read every association's
    changes, and its HTTP session logs every user's), and its package pulls lxml 6 over Odoo's pin.
    """

    def _tracking(self, tariff):
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking messages are written at commit
        return self.env["mail.message"].search([("model", "=", "osmd.tariff"), ("res_id", "=", tariff.id)])

    def test_tariff_change_tracked_for_the_audit_commission(self):
        # the tariffs of setUpClass as if committed: records created in the running transaction are not tracked
        self.env.flush_all()
        self.env.cr.precommit.run()
        tariff = self.tariffs[0]
        chairman = self.users_a["chairman"]
        old_price = tariff.price
        tariff.with_user(chairman).with_context(tracking_disable=False, mail_notrack=False).write(
            {"price": 99.99, "date_end": "2026-12-31"}
        )
        messages = self._tracking(tariff)
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages.author_id, chairman.partner_id, "who changed it")
        self.assertTrue(messages.date, "when")
        # the audit commission of the association reads it, with the old and the new values
        audit = self.users_a["audit"]
        seen = self.env["mail.message"].with_user(audit).search([("id", "in", messages.ids)])
        self.assertEqual(seen, messages)
        values = {
            value["fieldInfo"]["changedField"]: value
            for value in messages.sudo().tracking_value_ids._filter_has_field_access(seen.env)._tracking_value_format()
        }
        self.assertEqual(values["Price"]["oldValue"], old_price)
        self.assertEqual(values["Price"]["newValue"], 99.99)
        self.assertIn("Date End", values)
        # another association's audit commission does not
        self.assertFalse(self.env["mail.message"].with_user(self.users_b["audit"]).search([("id", "in", messages.ids)]))
