import functools
import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Command, Domain
from odoo.tools import clean_context, float_repr, float_round

from ..tools.bulk_sql import copy_rows, copy_text, next_ids

_logger = logging.getLogger(__name__)


LINE_KINDS = [("charge", "Charge"), ("benefit", "Benefit"), ("subsidy", "Subsidy"), ("extra", "One-off charge")]


class OsmdBillingLine(models.Model):
    """One accrual of a billing run: a personal account × service (× tariff piece, × zone), with the
    explanation printed on the invoice and the receipt."""

    _name = "osmd.billing.line"
    _description = "Accrual line"
    _order = "run_id, building_id, premise_number_sort, account_id, sequence, id"
    _check_company_auto = True

    run_id = fields.Many2one("osmd.billing.run", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True, precompute=True)
    period = fields.Date(related="run_id.period", store=True, index=True)
    account_id = fields.Many2one(
        "osmd.account", string="Personal account", required=True, index=True, check_company=True
    )
    building_id = fields.Many2one(related="account_id.building_id", store=True, index=True)
    premise_number_sort = fields.Integer(related="account_id.premise_number_sort", store=True)
    partner_id = fields.Many2one("res.partner", string="Holder", index=True)
    product_id = fields.Many2one("product.product", string="Service", required=True, index=True)
    kind = fields.Selection(LINE_KINDS, required=True, default="charge")
    sequence = fields.Integer(default=10)
    tariff_id = fields.Many2one("osmd.tariff", index=True, ondelete="restrict")
    zone = fields.Integer(default=1)
    date_start = fields.Date(string="From")
    date_end = fields.Date(string="To")
    days = fields.Integer(help="Days of the month charged.")
    month_days = fields.Integer(string="Days in month")
    quantity = fields.Float(digits=(16, 3))
    currency_id = fields.Many2one(related="run_id.currency_id")
    price_unit = fields.Monetary(string="Price")
    amount = fields.Monetary(aggregator="sum")
    invoice_quantity = fields.Float(digits=(16, 2), help="Quantity put on the invoice line.")
    invoice_price_unit = fields.Monetary(help="Unit price put on the invoice line.")
    explanation = fields.Char(required=True)
    extra_charge_id = fields.Many2one(
        "osmd.extra.charge", string="One-off charge", index="btree_not_null", ondelete="restrict", readonly=True
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        compute="_compute_move_id",
        search="_search_move_id",
        help="The accrual invoice of the line's personal account posted by the run.",
    )

    @api.depends("run_id.move_ids", "account_id")
    def _compute_move_id(self):
        # the run posts one invoice per account: no column to update for each of its thousands of lines
        moves = self.env["account.move"].search(
            Domain("osmd_billing_run_id", "in", self.run_id.ids) & Domain("move_type", "=", "out_invoice"),
            order="id",
        )
        by_key = {}
        for move in moves:
            key = (move.osmd_billing_run_id.id, move.osmd_account_id.id)
            if key not in by_key or by_key[key].state == "cancel":
                by_key[key] = move
        for line in self:
            line.move_id = by_key.get((line.run_id.id, line.account_id.id), False)

    def _search_move_id(self, operator, value):
        if operator != "in":
            return NotImplemented
        moves = self.env["account.move"].browse(value).filtered("osmd_billing_run_id")
        return Domain.OR(
            Domain("run_id", "=", move.osmd_billing_run_id.id) & Domain("account_id", "=", move.osmd_account_id.id)
            for move in moves
        )

    # ------------------------------------------------------------
    # BULK CREATION
    # ------------------------------------------------------------

    @api.model
    def _create_in_bulk(self, vals_list):
        """Create the accrual lines of ``vals_list`` (values as for ``create()``, all of one run) with one
        COPY; the rows are the ones ``create()`` writes. A billing run creates tens of thousands of lines
        at once, and ``create()`` spends about 2 ms on each.

        What ``create()`` does, and so does this method:

        - a column given is converted and rounded by its field (monetary ones to the run's currency);
          a column not given gets its default (``default_get``, context defaults included) or NULL;
        - a stored related field (company and period of the run, building and premise number of the
          account) gets the value of its target, read in one query per target model;
        - the log columns get the user and the transaction's time;
        - One2many values, lists of ``Command.create`` (the penalty charges), are created by ``create()``;
        - the new records are checked (access rights and record rules, Python constraints, the company of
          the ``check_company`` fields) and marked modified, so that what depends on them is recomputed
          or invalidated; the one2many fields of their targets (e.g. the run's lines) are invalidated.

        Values must be plain column values (ids for many2one fields). When the model has a stored field
        this method cannot fill (computed but not related, translated, company-dependent, or monetary
        in another currency than the run's), the lines go through ``create()``.
        """
        if not vals_list:
            return self.browse()
        run_ids = {vals["run_id"] for vals in vals_list}
        if len(run_ids) != 1:
            raise ValueError("_create_in_bulk creates the lines of one billing run at a time")
        run = self.env["osmd.billing.run"].browse(run_ids)
        columns = [field for field in self._fields.values() if field.store and field.column_type and field.name != "id"]
        given = {name for vals in vals_list for name in vals}
        unsupported = self._get_bulk_unsupported_fields(columns, given)
        if unsupported:
            _logger.warning("%s: %s cannot be inserted in bulk, create() is used", self._name, unsupported)
            return self.create(vals_list)
        self.check_access("create")
        for name in given:
            self._check_field_access(self._fields[name], "write")
        column_values = self._get_bulk_column_values(run, columns, vals_list)
        # the ids from the table's sequence, in the order of vals_list as create() gives them
        ids = next_ids(self.env.cr, self._table, len(vals_list))
        text_columns = [list(map(str, ids))] + [[copy_text(value) for value in values] for values in column_values]
        copy_rows(self.env.cr, self._table, ["id", *(field.name for field in columns)], zip(*text_columns, strict=True))
        records = self.browse(ids)
        records._after_bulk_insert(run, columns, given, vals_list)
        return records

    @api.model
    def _get_bulk_unsupported_fields(self, columns, given):
        """Names of the fields ``_create_in_bulk`` cannot fill (then ``create()`` is used)."""
        unsupported = [
            field.name
            for field in columns
            if (field.compute and not field.related)
            or field.translate
            or field.company_dependent
            or (field.related and self._fields[field.related.split(".")[0]].type != "many2one")
            or (field.type == "monetary" and field.get_currency_field(self) != "currency_id")
        ]
        unsupported += [
            name for name in given if self._fields[name] not in columns and self._fields[name].type != "one2many"
        ]
        if self._fields["currency_id"].related != "run_id.currency_id":
            unsupported.append("currency_id")
        return unsupported

    @api.model
    def _get_bulk_column_values(self, run, columns, vals_list):
        """[[value of the row of each vals of ``vals_list``] for each column] as ``create()`` writes them."""
        related = self._get_bulk_related_values(columns, vals_list)
        currency = run.currency_id
        defaults = self.default_get([field.name for field in columns if not field.related])
        now, uid = self.env.cr.now(), self.env.uid
        column_values = []
        for field in columns:
            name = field.name
            if name in ("create_uid", "write_uid", "create_date", "write_date"):
                column_values.append([uid if name.endswith("_uid") else now] * len(vals_list))
                continue
            if field.related:
                first, values = field.related.split(".")[0], related[name]
                column_values.append([values.get(vals.get(first)) for vals in vals_list])
                continue
            convert = self._get_bulk_converter(field, currency)
            default = convert(defaults[name]) if name in defaults else None
            column_values.append([convert(vals[name]) if name in vals else default for vals in vals_list])
        return column_values

    @api.model
    def _get_bulk_converter(self, field, currency):
        """The function converting a value of ``field`` to its column like ``create()`` does (monetary
        fields: rounded to ``currency``). It converts each distinct value once: the values of a column
        repeat a lot (ids, dates, prices...), and rounding numbers is slow."""
        if field.type == "monetary" and currency:
            rounding, places = currency.rounding, currency.decimal_places
            return functools.cache(
                lambda value: float_repr(float_round(float(value or 0.0), precision_rounding=rounding), places)
            )
        if field.type == "monetary":
            return lambda value: float(value or 0.0)
        return functools.cache(lambda value: field.convert_to_column(value, self))

    @api.model
    def _get_bulk_related_values(self, columns, vals_list):
        """{related field name: {id of the first record of its path: column value}}, in one query per
        model of first records (e.g. the accounts of the lines)."""
        paths = defaultdict(list)  # {first field of the path: [(field, rest of the path)]}
        for field in columns:
            if field.related:
                first, *path = field.related.split(".")
                paths[first].append((field, path))
        related = {}
        for first, related_fields in paths.items():
            ids = {vals[first] for vals in vals_list if vals.get(first)}
            targets = self.env[self._fields[first].comodel_name].sudo().browse(ids)
            targets.fetch([path[0] for _field, path in related_fields])
            for field, path in related_fields:
                values = related[field.name] = {}
                for target in targets:
                    value = target
                    for name in path:
                        value = value[name]
                    values[target.id] = field.convert_to_column(field.convert_to_write(value, self), self)
        return related

    def _after_bulk_insert(self, run, columns, given, vals_list):
        """What ``create()`` does after its INSERT, for the records ``self`` inserted by ``_create_in_bulk``."""
        for field in columns:
            if field.type == "many2one":
                for inverse in self.pool.field_inverses[field]:
                    self.env[inverse.model_name].invalidate_model([inverse.name])
        with self.env.protecting([field for field in columns if field.related], self):
            self.modified(self._fields, create=True)
        for name in given:
            field = self._fields[name]
            if field.type != "one2many":
                continue
            comodel_vals = []
            for record_id, vals in zip(self.ids, vals_list, strict=True):
                for command in vals.get(name) or ():
                    if command[0] != Command.CREATE:
                        raise ValueError(f"{field}: only Command.create is supported, got {command!r}")
                    comodel_vals.append({**command[2], field.inverse_name: record_id})
            # without the defaults of the context, like create() (they are meant for the lines)
            comodel = self.env[field.comodel_name].with_context(clean_context(self.env.context))
            if hasattr(comodel, "_create_for_lines_in_bulk"):
                comodel._create_for_lines_in_bulk(run, comodel_vals)
            else:
                comodel.create(comodel_vals)
        self._validate_fields(given)
        for field in columns:
            if field.relational and field.check_company and field.name in given:
                ids = {vals[field.name] for vals in vals_list if vals.get(field.name)}
                targets = self.env[field.comodel_name].sudo().with_context(active_test=False).browse(ids)
                if "company_id" in targets._fields:
                    targets.fetch(["company_id"])
                foreign = targets - targets.filtered_domain(targets._check_company_domain(run.company_id))
                if foreign:
                    # raise the error of create() for the lines concerned
                    self.filtered(
                        lambda line, field=field, foreign=foreign: line[field.name] in foreign
                    )._check_company([field.name])
        self.check_access("create")
