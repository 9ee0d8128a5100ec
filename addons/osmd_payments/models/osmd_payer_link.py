from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.matching import normalize_payer_key


class OsmdPayerLink(models.Model):
    """A payer (bank account, tax code or name) known to pay for a personal account of the association.

    Learned from matches the accountant confirmed or corrected and from payments that named the account number;
    used by matching rule 3. Links belong to one association and are never read for another one."""

    _name = "osmd.payer.link"
    _description = "Payer known for a personal account"
    _order = "company_id, kind, key, times desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", string="Association", required=True, index=True)
    account_id = fields.Many2one(
        "osmd.account", string="Personal account", required=True, index=True, ondelete="cascade", check_company=True
    )
    kind = fields.Selection(
        [("iban", "Bank account (IBAN)"), ("code", "Tax code (ЄДРПОУ / РНОКПП)"), ("name", "Name")],
        required=True,
    )
    key = fields.Char(required=True, help="The payer's IBAN, code or name, normalised.")
    times = fields.Integer(string="Payments", default=1, help="How many matched payments taught this link.")
    date_last = fields.Date(string="Last payment")

    _key_uniq = models.Constraint(
        "UNIQUE(company_id, kind, key, account_id)", "A payer is linked to a personal account only once."
    )

    @api.model
    def _learn(self, company, entries):
        """Remember ``entries`` [(account id, iban, code, name, date)] for ``company``: one upsert per link."""
        rows = {}
        for account_id, iban, code, name, day in entries:
            for kind, value in (("iban", iban), ("code", code), ("name", name)):
                key = normalize_payer_key(kind, value) if value else ""
                if key:
                    times, last = rows.get((kind, key, account_id), (0, day))
                    rows[(kind, key, account_id)] = (times + 1, max(last, day) if last and day else (day or last))
        if not rows:
            return
        self.flush_model()
        values = [
            (company.id, account_id, kind, key, times, day, self.env.uid)
            for (kind, key, account_id), (times, day) in rows.items()
        ]
        rows_sql = SQL(", ").join(SQL("(%s, %s, %s, %s, %s, %s::date, %s)", *row) for row in values)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO osmd_payer_link (company_id, account_id, kind, key, times, date_last, create_uid,
                                             create_date, write_uid, write_date)
                SELECT v.company_id, v.account_id, v.kind, v.key, v.times, v.date_last, v.uid,
                       now() at time zone 'UTC', v.uid, now() at time zone 'UTC'
                  FROM (VALUES %s) AS v(company_id, account_id, kind, key, times, date_last, uid)
                ON CONFLICT (company_id, kind, key, account_id) DO UPDATE
                   SET times = osmd_payer_link.times + EXCLUDED.times,
                       date_last = GREATEST(osmd_payer_link.date_last, EXCLUDED.date_last),
                       write_date = EXCLUDED.write_date, write_uid = EXCLUDED.write_uid
                """,
                rows_sql,
            )
        )
        self.invalidate_model()

    @api.model
    def _links_of(self, company):
        """{(kind, key): {account id: times}} of ``company`` (one query)."""
        self.env.cr.execute(
            SQL("SELECT kind, key, account_id, times FROM osmd_payer_link WHERE company_id = %s", company.id)
        )
        links = {}
        for kind, key, account_id, times in self.env.cr.fetchall():
            links.setdefault((kind, key), {})[account_id] = times
        return links
