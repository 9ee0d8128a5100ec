from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.osmd_ownership import TITLE_DOCUMENT_KINDS

TRANSFER_REASONS = [
    ("sale", "Sale"),
    ("inheritance", "Inheritance"),
    ("gift", "Gift"),
    ("court", "Court decision"),
    ("other", "Other"),
]

REASON_DOCUMENTS = {
    "sale": "sale_contract",
    "inheritance": "inheritance",
    "gift": "gift_contract",
    "court": "court_decision",
}


class OsmdOwnershipTransfer(models.TransientModel):
    _name = "osmd.ownership.transfer"
    _description = "Ownership transfer"

    premise_id = fields.Many2one("osmd.premise", required=True)
    company_id = fields.Many2one(related="premise_id.company_id")
    date = fields.Date(
        string="New owners from",
        required=True,
        default=fields.Date.context_today,
        help="The previous ownerships end the day before; the new owners and the new holder apply from this date.",
    )
    reason = fields.Selection(TRANSFER_REASONS, required=True, default="sale")
    document_kind = fields.Selection(
        TITLE_DOCUMENT_KINDS, string="Title document", compute="_compute_document_kind", store=True, readonly=False
    )
    document_number = fields.Char()
    document_date = fields.Date()
    close_ownership_ids = fields.Many2many(
        "osmd.ownership",
        string="Ownerships that end",
        compute="_compute_close_ownership_ids",
        store=True,
        readonly=False,
        domain="[('premise_id', '=', premise_id)]",
        help="By default every owner valid on the date; keep only the sellers for a partial sale.",
    )
    line_ids = fields.One2many("osmd.ownership.transfer.line", "transfer_id", string="New owners")
    account_id = fields.Many2one(
        "osmd.account",
        string="Personal account",
        compute="_compute_account_id",
        store=True,
        readonly=False,
        domain="[('premise_id', '=', premise_id), ('state', '=', 'active')]",
        help="The account keeps its number, history and debt; its holder changes on the date.",
    )
    new_holder_id = fields.Many2one(
        "res.partner", string="New holder", compute="_compute_new_holder_id", store=True, readonly=False
    )
    end_previous_residents = fields.Boolean(
        string="End residence of previous owners",
        default=True,
        help="Previous owners registered as residents of the account stop being counted the day before the date.",
    )

    @api.depends("reason")
    def _compute_document_kind(self):
        for wizard in self:
            wizard.document_kind = REASON_DOCUMENTS.get(wizard.reason, "other")

    @api.depends("premise_id", "date")
    def _compute_close_ownership_ids(self):
        for wizard in self:
            wizard.close_ownership_ids = wizard.premise_id.ownership_ids.filtered(
                lambda o, d=wizard.date: d and o._is_valid_on(d)
            )

    @api.depends("premise_id")
    def _compute_account_id(self):
        for wizard in self:
            wizard.account_id = wizard.premise_id.account_ids.filtered(lambda a: a.state == "active")[:1]

    @api.depends("line_ids.partner_id")
    def _compute_new_holder_id(self):
        for wizard in self:
            if wizard.new_holder_id not in wizard.line_ids.partner_id:
                wizard.new_holder_id = wizard.line_ids[:1].partner_id

    def action_apply(self):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Add the new owners and their shares."))
        day_before = self.date - timedelta(days=1)
        for ownership in self.close_ownership_ids:
            if ownership.date_start >= self.date:
                raise UserError(
                    self.env._(
                        "%(owner)s owns the premise only from %(start)s: the transfer date must be later.",
                        owner=ownership.partner_id.name,
                        start=ownership.date_start.strftime("%d.%m.%Y"),
                    )
                )
            if ownership.date_end and ownership.date_end < day_before:
                raise UserError(self.env._("The ownership of %s has already ended.", ownership.partner_id.name))
        Ownership = self.env["osmd.ownership"].with_context(osmd_defer_share_check=True)
        self.close_ownership_ids.with_context(osmd_defer_share_check=True).write({"date_end": day_before})
        new_ownerships = Ownership.create(
            [
                {
                    "premise_id": self.premise_id.id,
                    "partner_id": line.partner_id.id,
                    "share_numerator": line.share_numerator,
                    "share_denominator": line.share_denominator,
                    "date_start": self.date,
                    "document_kind": self.document_kind,
                    "document_number": self.document_number,
                    "document_date": self.document_date,
                }
                for line in self.line_ids
            ]
        )
        Ownership._check_premise_shares(self.premise_id)
        if self.account_id and self.new_holder_id:
            self._apply_holder(day_before)
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "Ownership transferred on %(date)s (%(reason)s): %(old)s → %(new)s",
                date=self.date.strftime("%d.%m.%Y"),
                reason=dict(self._fields["reason"]._description_selection(self.env))[self.reason],
                old=", ".join(self.close_ownership_ids.mapped("display_name")) or "—",
                new=", ".join(new_ownerships.mapped("display_name")),
            ),
            Markup("").join(Markup("<li>%s</li>") % o.display_name for o in new_ownerships),
        )
        # the accountant keeps the ownerships but may not edit the premise, whose chatter takes the
        # note all the same (for a premise the user may read; the note is authored by the user)
        self.premise_id.check_access("read")
        self.premise_id.sudo().message_post(body=body, author_id=self.env.user.partner_id.id)
        if self.account_id:
            self.account_id.message_post(body=body)
        return {"type": "ir.actions.act_window_close"}

    def _apply_holder(self, day_before):
        account = self.account_id
        current = account.holder_line_ids.filtered(
            lambda h: h.date_start <= self.date and (not h.date_end or h.date_end >= self.date)
        )
        if current.filtered(lambda h: h.date_start >= self.date):
            raise UserError(
                self.env._(
                    "Account %s already has a holder from this date: correct the holder history instead.",
                    account.number,
                )
            )
        if account.holder_line_ids.filtered(lambda h: h.date_start > self.date):
            raise UserError(
                self.env._(
                    "Account %s has a holder change after this date: transfers must be entered in date order.",
                    account.number,
                )
            )
        current.write({"date_end": day_before})
        document = " ".join(
            filter(None, [self.document_number, self.document_date and self.document_date.strftime("%d.%m.%Y")])
        )
        self.env["osmd.account.holder"].create(
            {
                "account_id": account.id,
                "partner_id": self.new_holder_id.id,
                "date_start": self.date,
                "reason": self.reason,
                "document": document or False,
            }
        )
        if self.end_previous_residents:
            previous = self.close_ownership_ids.partner_id - self.line_ids.partner_id
            account.resident_ids.filtered(
                lambda r: (
                    r.partner_id in previous
                    and r.date_start < self.date
                    and (not r.date_end or r.date_end >= self.date)
                )
            ).write({"date_end": day_before})


class OsmdOwnershipTransferLine(models.TransientModel):
    _name = "osmd.ownership.transfer.line"
    _description = "New owner in an ownership transfer"

    transfer_id = fields.Many2one("osmd.ownership.transfer", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="New owner", required=True)
    share_numerator = fields.Integer(string="Share numerator", required=True, default=1)
    share_denominator = fields.Integer(string="Share denominator", required=True, default=1)
