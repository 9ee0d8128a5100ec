import base64
import json

import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.osmd_base.tests.common import JsonRpcMixin
from odoo.addons.osmd_base.tools.registry_import import build_template

from .common import PERIOD, BillingCommon

ROLES = ("engineer", "audit", "accountant", "board", "chairman")
# what a refusal may look like: an access error, or a business error raised before anything is read
REFUSED = (AccessError, UserError, ValidationError)
SIMPLE_TYPES = ("char", "text", "integer", "float", "monetary", "boolean", "date", "datetime", "selection")
# fields whose value the database sets on every statement, not part of a record's content
VOLATILE_FIELDS = {"write_date", "write_uid", "__last_update", "message_is_follower", "has_message"}


@tagged("post_install", "-at_install", "osmd", "osmd_hostile")
class TestHostileStaff(JsonRpcMixin, BillingCommon, HttpCase):
    """Hostile staff: every staff role of one association tries every osmd model, wizard, report and
    route on another association's records, through the ORM and over JSON-RPC.

    The victim is association A of ``BillingCommon`` (the one with a ledger: tariffs, a posted run,
    debts, penalties, recalculations); the hostile staff are the five users of association B.
    Models are enumerated from ``ir.model`` (``osmd.%``): a new model without a victim record here
    fails ``test_every_model_has_a_victim_record``, so it cannot be left out silently.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.victim, cls.hostile_company = cls.company_a, cls.company_b
        cls.hostile = cls.users_b
        env = cls.env
        run = cls._create_run()
        run.action_compute()
        run.action_post()
        cls.victim_run = run
        cls.victim_moves = run.move_ids
        line = run.line_ids[:1]
        env["osmd.penalty.charge"].create(
            {"line_id": line.id, "invoice_id": cls.victim_moves[:1].id, "debt": 10, "days": 3, "amount": 0.01}
        )
        env["osmd.billing.problem"].create({"run_id": run.id, "severity": "warning", "message": "Victim problem"})
        recalculation = env["osmd.recalculation"].create(
            {"company_id": cls.victim.id, "period": PERIOD, "date": "2026-04-15"}
        )
        env["osmd.recalculation.line"].create(
            {
                "recalculation_id": recalculation.id,
                "account_id": cls.account1.id,
                "product_id": cls.svc_maint.id,
                "explanation": "Victim recalculation",
            }
        )
        env["osmd.penalty.suspension"].create(
            {"company_id": cls.victim.id, "name": "Martial law", "date_start": "2022-02-24"}
        )
        env["osmd.benefit"].create(
            {
                "company_id": cls.victim.id,
                "account_id": cls.account1.id,
                "product_id": cls.svc_garbage.id,
                "percent": 50,
                "date_start": "2025-01-01",
            }
        )
        env["osmd.subsidy"].create(
            {"company_id": cls.victim.id, "account_id": cls.account2.id, "period": PERIOD, "amount": 100}
        )
        env["osmd.extra.charge"].create(
            {"company_id": cls.victim.id, "account_id": cls.account2.id, "name": "Boiler", "price_unit": 1500}
        )
        env["osmd.sms.provider"].create(
            {
                "company_id": cls.victim.id,
                "name": "Victim gateway",
                "url": "https://api.turbosms.ua/message/send.json",
                "sender": "VICTIM",
            }
        )
        env["osmd.ip.range"].create({"company_id": cls.victim.id, "cidr": "127.0.0.0/8", "name": "Victim office"})
        env["osmd.login.denial"].create({"company_id": cls.victim.id, "login": "victim_login", "kind": "login"})
        env["osmd.staff.member"].with_user(cls.users_a["chairman"]).create(
            {
                "company_id": cls.victim.id,
                "name": "Victim Engineer",
                "email": "victim.engineer@example.com",
                "role": "engineer",
            }
        )
        cls.victim_utility = env["osmd.utility"].create(
            {"name": "Victim utility", "company_id": cls.victim.id, "uom_id": cls.utility_water.uom_id.id}
        )
        cls.submitted = env["osmd.meter.reading"].create(
            {"meter_id": cls.meter_water.id, "date": "2026-04-25", "value1": 150, "state": "submitted"}
        )
        cls._create_victim_payments(env)
        cls._create_hostile_records()
        env.flush_all()
        cls.models = cls._osmd_models()
        cls.victim_records = {model: cls._victim_record(model) for model in cls.models}

    @classmethod
    def _create_victim_payments(cls, env):
        """The victim's payment records when osmd_payments is installed (make test installs every addon): a
        learned payer, a bank line waiting for review with a suggestion, a collector and its registry."""
        if "osmd.payment.registry" not in env:
            return
        env["osmd.payer.link"]._learn(cls.victim, [(cls.account1.id, "UA000000000000000000000000001", "", "", PERIOD)])
        bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", cls.victim.id)], limit=1)
        line = env["account.bank.statement.line"].create(
            {"journal_id": bank.id, "date": "2026-04-10", "amount": 10.0, "payment_ref": "Victim payment"}
        )
        line.osmd_match_state = "todo"
        env["osmd.payment.suggestion"].create({"statement_line_id": line.id, "account_id": cls.account1.id})
        collector = env["osmd.payment.collector"].create({"name": "Victim collector", "company_id": cls.victim.id})
        env["osmd.payment.registry"].create(
            {
                "company_id": cls.victim.id,
                "collector_id": collector.id,
                "number": "1",
                "date": "2026-04-10",
                "line_ids": [
                    Command.create({"txn_id": "V-1", "date": "2026-04-10", "account_id": cls.account1.id, "amount": 10})
                ],
            }
        )
        if "osmd.announcement" in env:
            # osmd_service: an announcement of the board and a resident's opening of it
            announcement = env["osmd.announcement"].create(
                {"name": "Victim announcement", "body": "<p>Victim</p>", "company_id": cls.victim.id}
            )
            env["osmd.announcement.read"].create(
                {"announcement_id": announcement.id, "partner_id": cls.account1.holder_id.id}
            )
        if "osmd.act" in env:
            # osmd_act: an act of one of the victim's invoices
            env["osmd.act"].create(
                {
                    "company_id": cls.victim.id,
                    "move_id": cls.victim_moves[:1].id,
                    "date": cls.victim_moves[:1].invoice_date,
                }
            )
        if "osmd.meeting" in env:
            # osmd_voting: a meeting with its register, a notice, a vote and its log; the association's own rules
            threshold = env["osmd.voting.threshold"].create(
                {"name": "Victim three quarters", "company_id": cls.victim.id, "numerator": 3, "denominator": 4}
            )
            rule = env["osmd.voting.rule"].create({"name": "Victim statute", "company_id": cls.victim.id})
            meeting = env["osmd.meeting"].create(
                {
                    "name": "Victim meeting",
                    "company_id": cls.victim.id,
                    "building_ids": [Command.set(cls.building.ids)],
                    "date_meeting": "2026-05-20 15:00:00",
                    "rule_id": rule.id,
                    "question_ids": [Command.create({"name": "Victim question", "threshold_id": threshold.id})],
                }
            )
            meeting.action_open_voting()
            voter = meeting.voter_ids[:1]
            env["osmd.meeting.notice"].create(
                {"meeting_id": meeting.id, "voter_id": voter.id, "date_sent": "2026-05-01"}
            )
            meeting._record_votes(voter, {meeting.question_ids: "for"}, "meeting", meeting.date_meeting)
        if "osmd.payment.agent" not in env:
            return
        # osmd_payment_gateway: an agent, a payment it took and the log of its request
        clearing = env["account.account"].create(
            {
                "code": "377199",
                "name": "Victim agent",
                "account_type": "asset_current",
                "reconcile": True,
                "company_ids": [Command.set(cls.victim.ids)],
            }
        )
        agent = env["osmd.payment.agent"].create(
            {
                "name": "Victim agent",
                "company_id": cls.victim.id,
                "clearing_account_id": clearing.id,
                "journal_id": env["account.journal"]
                .search([("type", "=", "general"), ("company_id", "=", cls.victim.id)], limit=1)
                .id,
            }
        )
        agent._osmd_pay("V-AGENT-1", cls.account1.number, "10.00")
        env["osmd.payment.agent.log"].create(
            {"agent_id": agent.id, "company_id": cls.victim.id, "operation": "pay", "result": "ok"}
        )

    @classmethod
    def _create_hostile_records(cls):
        """Records of B for the check_company test: B's chairman links them to A's records. Not created:
        osmd.penalty.charge (needs a posted invoice of B, so a chart of accounts for B; its company
        follows its billing line's, which is tested) and the SQL view osmd.debtor.report (read-only)."""
        env, company = cls.env, cls.hostile_company
        data = cls.data_b
        product = env["product.product"].create(
            {"name": "Hostile service", "osmd_basis": "fixed", "company_id": company.id}
        )
        env["osmd.tariff"].create(
            {"company_id": company.id, "product_id": product.id, "price": 1, "date_start": "2025-01-01"}
        )
        env["osmd.subscription"].create(
            {
                "company_id": company.id,
                "building_id": data["building"].id,
                "product_id": product.id,
                "date_start": "2025-01-01",
            }
        )
        env["osmd.benefit"].create(
            {
                "company_id": company.id,
                "account_id": data["accounts"][0].id,
                "product_id": product.id,
                "percent": 10,
                "date_start": "2025-01-01",
            }
        )
        env["osmd.subsidy"].create(
            {"company_id": company.id, "account_id": data["accounts"][0].id, "period": PERIOD, "amount": 1}
        )
        cls.hostile_meter = meter = env["osmd.meter"].create(
            {
                "serial": "HOSTILE-1",
                "company_id": company.id,
                "utility_id": cls.utility_water.id,
                "premise_id": data["premises"][0].id,
                "install_date": "2025-01-01",
            }
        )
        env["osmd.meter.reading"].create(
            {"meter_id": meter.id, "date": "2026-03-25", "value1": 5, "state": "confirmed"}
        )
        house = env["osmd.house.consumption"].create(
            {"building_id": data["building"].id, "utility_id": cls.utility_hot.id, "period": PERIOD}
        )
        env["osmd.house.consumption.line"].create(
            {"consumption_id": house.id, "premise_id": data["premises"][0].id, "account_id": data["accounts"][0].id}
        )
        run = env["osmd.billing.run"].create({"company_id": company.id, "period": PERIOD})
        env["osmd.billing.line"].create(
            {"run_id": run.id, "account_id": data["accounts"][0].id, "product_id": product.id, "explanation": "B"}
        )
        env["osmd.billing.problem"].create({"run_id": run.id, "message": "Hostile problem"})
        recalculation = env["osmd.recalculation"].create(
            {"company_id": company.id, "period": PERIOD, "date": "2026-04-15"}
        )
        env["osmd.recalculation.line"].create(
            {
                "recalculation_id": recalculation.id,
                "account_id": data["accounts"][0].id,
                "product_id": product.id,
                "explanation": "B",
            }
        )
        env["osmd.penalty.suspension"].create({"company_id": company.id, "name": "B", "date_start": "2022-02-24"})
        env["osmd.sms.provider"].create(
            {
                "company_id": company.id,
                "name": "Hostile gateway",
                "url": "https://api.turbosms.ua/message/send.json",
                "sender": "HOSTILE",
            }
        )
        env["osmd.ip.range"].create({"company_id": company.id, "cidr": "127.0.0.0/8", "name": "Hostile office"})
        env["osmd.login.denial"].create({"company_id": company.id, "login": "hostile_login", "kind": "login"})
        env["osmd.staff.member"].with_user(cls.users_b["chairman"]).create(
            {
                "company_id": company.id,
                "name": "Hostile Engineer",
                "email": "hostile.engineer@example.com",
                "role": "engineer",
            }
        )
        env["osmd.utility"].create(
            {"name": "Hostile utility", "company_id": company.id, "uom_id": cls.utility_water.uom_id.id}
        )

    @classmethod
    def _osmd_models(cls):
        """Every stored osmd model. Transient models (wizards) are attacked one by one in the wizard tests;
        abstract models (osmd.dated.mixin, osmd.billing.document) have no records of their own."""
        names = cls.env["ir.model"].search([("model", "=like", "osmd.%"), ("transient", "=", False)]).mapped("model")
        return [name for name in names if not cls.env[name]._abstract]

    @classmethod
    def _victim_record(cls, model):
        Model = cls.env[model].sudo().with_context(active_test=False)
        if "company_id" in Model._fields:
            return Model.search([("company_id", "=", cls.victim.id)], limit=1)
        return Model.browse()

    def _snapshot(self, record):
        """The stored content of ``record`` as the superuser sees it (None once deleted)."""
        record = record.sudo().with_context(active_test=False)
        self.env.invalidate_all()
        if not record.exists():
            return None
        fnames = [
            name
            for name, field in record._fields.items()
            if field.store and field.type != "binary" and name not in VOLATILE_FIELDS
        ]
        return record.read(fnames)

    @staticmethod
    def _simple_field(record):
        """A plain stored field of ``record`` to write back unchanged (any write must be refused)."""
        for name, field in record._fields.items():
            if field.store and field.type in SIMPLE_TYPES and name not in VOLATILE_FIELDS | {"id", "create_date"}:
                return name
        return None

    @staticmethod
    def _subscribe(record, partner):
        """message_subscribe answers False, without raising, when the user may not read the record."""
        if not record.message_subscribe(partner_ids=partner.ids):
            raise AccessError("refused")  # pylint: disable=translation-required
        return True

    def _attempt(self, function):
        """Run ``function`` in a savepoint always rolled back; return (refused, result)."""
        with mute_logger("odoo.sql_db"), self.env.cr.savepoint() as savepoint:
            try:
                result = function()
            except (*REFUSED, psycopg2.Error):
                return True, None
            finally:
                savepoint.rollback()
                self.env.invalidate_all()
        return False, result

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------

    def test_every_model_has_a_victim_record(self):
        for model in self.models:
            with self.subTest(model=model):
                self.assertTrue(
                    self.victim_records[model],
                    f"{model}: create one record of the victim association in setUpClass (or say why not)",
                )

    def test_orm_every_model_every_role(self):
        for model in self.models:
            record = self.victim_records[model]
            if not record:
                continue  # reported by test_every_model_has_a_victim_record
            before = self._snapshot(record)
            count_before = self.env[model].sudo().with_context(active_test=False).search_count([])
            name = record.sudo().display_name or "x"
            fname = self._simple_field(record)
            value = before[0][fname] if fname else None
            vals = record.sudo().copy_data()[0] if model != "osmd.debtor.report" else {}
            for role in ROLES:
                Model = self.env[model].with_user(self.hostile[role]).with_context(active_test=False)
                mine = record.with_user(self.hostile[role])
                operations = {
                    "read": lambda mine=mine: mine.read(["display_name"]),
                    "export_data": lambda mine=mine: mine.export_data(["display_name"]),
                    "write": lambda mine=mine, fname=fname, value=value: mine.write({fname: value}),
                    "unlink": lambda mine=mine: mine.unlink(),
                    "create": lambda Model=Model, vals=vals: Model.create(vals),
                    "copy": lambda mine=mine: mine.copy(),
                }
                if "message_ids" in record._fields:
                    operations["message_post"] = lambda mine=mine: mine.message_post(body="hostile")
                    operations["message_subscribe"] = lambda mine=mine, role=role: self._subscribe(
                        mine, self.hostile[role].partner_id
                    )
                if "activity_ids" in record._fields:
                    operations["activity_schedule"] = lambda mine=mine, role=role: mine.activity_schedule(
                        "mail.mail_activity_data_todo", user_id=self.hostile[role].id
                    )
                for operation, function in operations.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        refused, _result = self._attempt(function)
                        self.assertTrue(refused, f"{role} of B may {operation} {model} of A")
                # each lookup answers the ids it finds; the victim's id must not be among them
                lookups = {
                    "search": (record.id, lambda Model=Model: Model.search([]).ids),
                    "search_by_id": (
                        record.id,
                        lambda Model=Model, record=record: Model.search([("id", "=", record.id)]).ids,
                    ),
                    "name_search": (
                        record.id,
                        lambda Model=Model, name=name: [row[0] for row in Model.name_search(name)],
                    ),
                    "read_group": (
                        record.id,
                        lambda Model=Model, record=record: [
                            record.id
                            for group in Model.formatted_read_group([("id", "=", record.id)], [], ["__count"])
                            if group["__count"]
                        ],
                    ),
                    "read_group_company": (
                        self.victim.id,
                        lambda Model=Model: [
                            group["company_id"][0]
                            for group in Model.formatted_read_group([], ["company_id"], ["__count"])
                            if group["company_id"]
                        ],
                    ),
                }
                for operation, (forbidden, function) in lookups.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        refused, found = self._attempt(function)
                        if not refused:
                            self.assertNotIn(forbidden, found, f"{role} of B finds {model} of A by {operation}")
            with self.subTest(model=model, check="unchanged"):
                self.assertEqual(self._snapshot(record), before, f"{model} of A changed")
                self.assertEqual(self.env[model].sudo().with_context(active_test=False).search_count([]), count_before)

    def test_orm_own_records_cannot_point_at_victim(self):
        """check_company: the chairman of B (every right in B) can neither move a record of B into A nor
        link a record of B, new or existing, to a record of A (a building, an account, a person, a run...)."""
        chairman = self.hostile["chairman"]
        targets = {model: record for model, record in self.victim_records.items() if record}
        targets["res.company"] = self.victim
        targets["res.partner"] = self.owners[0]
        creates_checked = 0
        for model in self.models:
            own = self.env[model].sudo().with_context(active_test=False)
            if "company_id" not in own._fields:
                continue
            own = own.search([("company_id", "=", self.hostile_company.id)], limit=1)
            if not own:
                continue
            Model = self.env[model].with_user(chairman)
            copy_vals = own.copy_data()[0]
            # control: B's chairman may create a copy of B's record as it is (else the create check says nothing)
            can_copy = not self._attempt(lambda Model=Model, vals=copy_vals: Model.create(vals))[0]
            for fname, field in own._fields.items():
                if (
                    field.type not in ("many2one", "many2many")
                    or not field.store
                    or field.comodel_name not in targets
                    or (field.compute and not field.inverse and field.readonly)
                    or field.related
                    or fname in ("create_uid", "write_uid")
                ):
                    continue
                target = targets[field.comodel_name]
                value = target.id if field.type == "many2one" else [Command.set(target.ids)]
                with self.subTest(model=model, field=fname, operation="write"):
                    before = self._snapshot(own)
                    refused, _result = self._attempt(
                        lambda own=own, fname=fname, value=value: own.with_user(chairman).write({fname: value})
                    )
                    self.assertTrue(refused, f"B's {model}.{fname} may point at {field.comodel_name} of A")
                    self.assertEqual(self._snapshot(own), before)
                if can_copy:
                    creates_checked += 1
                    with self.subTest(model=model, field=fname, operation="create"):
                        refused, _result = self._attempt(
                            lambda Model=Model, vals=dict(copy_vals, **{fname: value}): Model.create(vals)
                        )
                        self.assertTrue(refused, f"a new {model} of B may point at {field.comodel_name} of A")
        self.assertGreater(creates_checked, 10, "the create checks ran on most models")

    def test_global_utility_is_not_the_chairmans(self):
        """A utility without association is offered to every association: no association's chairman may
        rename, re-parameter (norm, anomaly factor: the estimates of everybody) or delete it."""
        chairman = self.hostile["chairman"]
        utility = self.utility_water
        self.assertFalse(utility.company_id)
        before = self._snapshot(utility)
        for operation, function in {
            "write": lambda: utility.with_user(chairman).write({"norm_per_person": 99.0, "name": "Hacked"}),
            "unlink": lambda: utility.with_user(chairman).unlink(),
            "archive": lambda: utility.with_user(chairman).action_archive(),
            "create_shared": lambda: (
                self.env["osmd.utility"]
                .with_user(chairman)
                .create({"name": "Hostile", "company_id": False, "uom_id": utility.uom_id.id})
            ),
            "create_in_victim": lambda: (
                self.env["osmd.utility"]
                .with_user(chairman)
                .create({"name": "Hostile", "company_id": self.victim.id, "uom_id": utility.uom_id.id})
            ),
        }.items():
            with self.subTest(operation=operation):
                refused, _result = self._attempt(function)
                self.assertTrue(refused, f"the chairman of B may {operation} a utility shared with A")
        self.assertEqual(self._snapshot(utility), before)

    # ------------------------------------------------------------
    # WIZARDS, REPORTS
    # ------------------------------------------------------------

    def _assert_refused(self, function, message):
        refused, _result = self._attempt(function)
        self.assertTrue(refused, message)

    def _wizard(self, model, user, vals, method, *args):
        return lambda: getattr(self.env[model].with_user(user).create(vals), method)(*args)

    def test_wizards_go_through_with_own_ids(self):
        """Controls of test_wizards_with_victim_ids: the same wizards with B's own ids go through, so the
        refusals there come from A's ids."""
        engineer, accountant, audit = (self.hostile[role] for role in ("engineer", "accountant", "audit"))
        company, building = self.hostile_company, self.data_b["building"]
        cases = {
            "ownership transfer of B's premise": self._wizard(
                "osmd.ownership.transfer",
                accountant,
                {
                    "premise_id": self.data_b["premises"][0].id,
                    "line_ids": [Command.create({"partner_id": self.data_b["owners"][2].id})],
                },
                "action_apply",
            ),
            "reading round in B": self._wizard(
                "osmd.reading.round", engineer, {"company_id": company.id, "building_id": building.id}, "action_load"
            ),
            "reading round line on B's meter": self._wizard(
                "osmd.reading.round",
                engineer,
                {
                    "building_id": building.id,
                    "line_ids": [Command.create({"meter_id": self.hostile_meter.id, "zone_count": 1, "value1": 999})],
                },
                "action_save",
            ),
            "meter estimate in B": self._wizard(
                "osmd.meter.estimate", engineer, {"company_id": company.id, "period": "2026-04-01"}, "action_estimate"
            ),
            "debtor export of B": self._wizard(
                "osmd.debtor.export", audit, {"company_id": company.id}, "action_export_xlsx"
            ),
            "turnover register of B": self._wizard(
                "osmd.turnover.register", audit, {"company_id": company.id, "period": PERIOD}, "action_export_xlsx"
            ),
        }
        for case, function in cases.items():
            with self.subTest(case=case), self.env.cr.savepoint() as savepoint:
                self.assertTrue(function())
                savepoint.rollback()

    def test_wizards_with_victim_ids(self):
        engineer, accountant, audit, chairman = (
            self.hostile[r] for r in ("engineer", "accountant", "audit", "chairman")
        )
        building, premise, account = self.building, self.premises[0], self.account1
        own_premise = self.data_b["premises"][0]
        snapshots = {model: self._snapshot(record) for model, record in self.victim_records.items() if record}
        count_readings = self.env["osmd.meter.reading"].sudo().search_count([])

        wizard = self._wizard
        cases = {
            "ownership transfer of A's premise": wizard(
                "osmd.ownership.transfer",
                accountant,
                {"premise_id": premise.id, "line_ids": [Command.create({"partner_id": self.data_b["owners"][0].id})]},
                "action_apply",
            ),
            "ownership transfer of B's premise to A's owner": wizard(
                "osmd.ownership.transfer",
                accountant,
                {"premise_id": own_premise.id, "line_ids": [Command.create({"partner_id": self.owners[0].id})]},
                "action_apply",
            ),
            "ownership transfer of B's premise with A's account": wizard(
                "osmd.ownership.transfer",
                accountant,
                {
                    "premise_id": own_premise.id,
                    "account_id": account.id,
                    "new_holder_id": self.data_b["owners"][0].id,
                    "line_ids": [Command.create({"partner_id": self.data_b["owners"][0].id})],
                },
                "action_apply",
            ),
            "registry import into A": wizard(
                "osmd.registry.import",
                chairman,
                {"company_id": self.victim.id, "file": base64.b64encode(build_template())},
                "action_import",
            ),
            "reading round of A's building": wizard(
                "osmd.reading.round", engineer, {"building_id": building.id}, "action_load"
            ),
            "reading round in A": wizard(
                "osmd.reading.round",
                engineer,
                {"company_id": self.victim.id, "building_id": building.id},
                "action_load",
            ),
            "reading round line on A's meter": wizard(
                "osmd.reading.round",
                engineer,
                {
                    "building_id": self.data_b["building"].id,
                    "line_ids": [Command.create({"meter_id": self.meter_water.id, "zone_count": 1, "value1": 999})],
                },
                "action_save",
            ),
            "reading sheet of A": wizard(
                "osmd.reading.sheet",
                engineer,
                {"company_id": self.victim.id, "building_id": building.id, "period": PERIOD},
                "action_export",
            ),
            "meter replace of A's meter": wizard(
                "osmd.meter.replace", engineer, {"meter_id": self.meter_water.id, "serial": "HOSTILE"}, "action_apply"
            ),
            "meter estimate in A": wizard(
                "osmd.meter.estimate",
                engineer,
                {"company_id": self.victim.id, "period": "2026-04-01"},
                "action_estimate",
            ),
            "meter estimate of A's building": wizard(
                "osmd.meter.estimate",
                engineer,
                {"company_id": self.victim.id, "building_id": building.id, "period": "2026-04-01"},
                "action_estimate",
            ),
            "reject A's reading": wizard(
                "osmd.meter.reading.reject",
                engineer,
                {"reading_ids": [Command.set(self.submitted.ids)], "reason": "hostile"},
                "action_reject",
            ),
            "portal grant on A's accounts": wizard(
                "osmd.portal.grant", accountant, {"account_ids": [Command.set(account.ids)]}, "action_grant"
            ),
            "billing send of A's run": wizard(
                "osmd.billing.send", accountant, {"run_id": self.victim_run.id}, "action_send"
            ),
            "billing send in A": wizard(
                "osmd.billing.send",
                accountant,
                {"company_id": self.victim.id, "run_id": self.victim_run.id, "send_sms": True},
                "action_send",
            ),
            "billing send of A's invoices": wizard(
                "osmd.billing.send",
                accountant,
                {"company_id": self.victim.id, "move_ids": [Command.set(self.victim_moves.ids)]},
                "action_send",
            ),
            "billing send defaults from A's run": lambda: (
                self.env["osmd.billing.send"]
                .with_user(accountant)
                .with_context(active_model="osmd.billing.run", active_ids=self.victim_run.ids)
                .create({})
                .action_send()
            ),
            "debtor export of A": wizard(
                "osmd.debtor.export", audit, {"company_id": self.victim.id}, "action_export_xlsx"
            ),
            "debtor letters of A": wizard(
                "osmd.debtor.export", audit, {"company_id": self.victim.id}, "action_print_letters"
            ),
            "debtor export of A's building": wizard(
                "osmd.debtor.export", audit, {"building_ids": [Command.set(building.ids)]}, "action_export_xlsx"
            ),
            "turnover register of A": wizard(
                "osmd.turnover.register", audit, {"company_id": self.victim.id, "period": PERIOD}, "action_export_xlsx"
            ),
            "turnover register of A's building": wizard(
                "osmd.turnover.register",
                audit,
                {"period": PERIOD, "building_ids": [Command.set(building.ids)]},
                "action_export_xlsx",
            ),
            "billing run in A": wizard(
                "osmd.billing.run", accountant, {"company_id": self.victim.id, "period": "2026-04-01"}, "action_compute"
            ),
            "billing run of A's building": wizard(
                "osmd.billing.run",
                accountant,
                {"period": "2026-04-01", "building_ids": [Command.set(building.ids)]},
                "action_compute",
            ),
            "recalculation of A's accounts": wizard(
                "osmd.recalculation",
                accountant,
                {"period": PERIOD, "date": "2026-04-15", "account_ids": [Command.set(account.ids)]},
                "action_compute",
            ),
            "receipts of A's invoices": lambda: (
                self.env["report.osmd_billing.report_receipt"]
                .with_user(accountant)
                ._get_report_values(self.victim_moves.ids)
            ),
            "receipts of A's accounts": lambda: (
                self.env["report.osmd_billing.report_receipt"]
                .with_user(accountant)
                ._action_print_for_accounts(self.env["osmd.account"].browse(account.ids).with_user(accountant), PERIOD)
            ),
            "reminder letters of A's debtors": lambda: (
                self.env["report.osmd_billing.osmd_reminder_letter_template"]
                .with_user(audit)
                ._get_report_values(self.victim_records["osmd.debtor.report"].ids)
            ),
            "stickers of A's meters": lambda: (
                self.env["report.osmd_metering.report_osmd_meter_sticker"]
                .with_user(engineer)
                ._get_report_values(self.meter_water.ids)
            ),
        }
        for case, function in cases.items():
            with self.subTest(case=case):
                self._assert_refused(function, f"B's staff: {case} went through")
        for model, before in snapshots.items():
            with self.subTest(model=model, check="unchanged"):
                self.assertEqual(self._snapshot(self.victim_records[model]), before)
        self.assertEqual(self.env["osmd.meter.reading"].sudo().search_count([]), count_readings)

    # ------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------

    @mute_logger("odoo.http", "odoo.sql_db")  # the refused calls are logged by design
    def test_json_rpc_every_model_every_role(self):
        records = {model: record for model, record in self.victim_records.items() if record}
        snapshots = {model: self._snapshot(record) for model, record in records.items()}
        self.assertEqual(len(records), len(self.models), "every model has a victim record")
        for role in ROLES:
            self.authenticate(self.hostile[role].login, self.hostile[role].login)
            for model, record in records.items():
                fname = self._simple_field(record)
                value = snapshots[model][0][fname]
                ids = [record.id]
                for method, args, kwargs in (
                    ("read", [ids, ["display_name"]], {}),
                    ("web_read", [ids], {"specification": {"display_name": {}}}),
                    ("export_data", [ids, ["display_name"]], {}),
                    ("write", [ids, {fname: value}], {}),
                    ("unlink", [ids], {}),
                    *((("message_post", [ids], {"body": "hostile"}),) if "message_ids" in record._fields else ()),
                ):
                    with self.subTest(role=role, model=model, method=method):
                        result = self._call_kw(model, method, args, kwargs)
                        self.assertIn("error", result, f"{role} of B may {method} {model} of A over RPC")
                        self.assertNotIn(record.sudo().display_name, json.dumps(result, ensure_ascii=False))
                for method, args, kwargs, found in (
                    ("search_read", [[["id", "=", record.id]]], {"fields": ["display_name"]}, lambda r: r),
                    ("web_search_read", [[["id", "=", record.id]]], {"specification": {}}, lambda r: r["records"]),
                    ("name_search", [], {"name": record.sudo().display_name or ""}, lambda r: r),
                    (
                        "formatted_read_group",
                        [[["id", "=", record.id]], [], ["__count"]],
                        {},
                        lambda r: [group for group in r if group["__count"]],
                    ),
                ):
                    with self.subTest(role=role, model=model, method=method):
                        result = self._call_kw(model, method, args, kwargs)
                        if "error" not in result:
                            rows = found(result["result"])
                            if method == "name_search":
                                rows = [row for row in rows if row[0] == record.id]
                            self.assertFalse(rows, f"{role} of B finds {model} of A by {method} over RPC")
        for model, record in records.items():
            with self.subTest(model=model, check="unchanged"):
                self.assertEqual(self._snapshot(record), snapshots[model])

    @mute_logger("odoo.http")
    def test_routes_with_victim_ids(self):
        self.authenticate("engineer_b", "engineer_b")
        response = self.url_open(f"/osmd/meter/{self.meter_water.id}/reading", allow_redirects=False)
        self.assertEqual(response.status_code, 404, "the QR route of A's meter answers B's engineer")
        missing = self.url_open("/osmd/meter/999999999/reading", allow_redirects=False)
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(response.text, missing.text, "A's meter and a missing meter answer alike")
        response = self.url_open(f"/report/html/osmd_metering.report_osmd_meter_sticker/{self.meter_water.id}")
        self.assertNotIn(self.meter_water.serial, response.text)
        self.assertNotEqual(response.status_code, 200)
        self.authenticate("accountant_b", "accountant_b")
        ids = ",".join(map(str, self.victim_moves.ids))
        response = self.url_open(f"/report/html/osmd_billing.report_receipt/{ids}")
        self.assertNotEqual(response.status_code, 200, "B's accountant prints the receipts of A")
        self.assertNotIn(self.account1.number, response.text)
        # the registry template route takes no ids: only the chairman of B gets it, and it holds no data
        response = self.url_open("/osmd_base/registry_template")
        self.assertEqual(response.status_code, 404)
