import base64

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

from ..tools.company_access import check_own_associations
from ..tools.registry_import import (
    MSG_ACCOUNT_NUMBER_USED,
    MSG_PREMISE_EXISTS,
    normalize_key,
    parse_registry,
)

TEMPLATE_URL = "/osmd_base/registry_template"


class OsmdRegistryImport(models.TransientModel):
    """Import buildings, premises, owners, accounts and residents from a workbook.

    Parsing and row validation live in ``tools/registry_import.py``; this model
    adds the checks against the database and creates the records, one batch per
    model. Any problem raises a UserError listing every bad row, so the
    transaction is rolled back and nothing is imported.
    """

    _name = "osmd.registry.import"
    _description = "Registry import from a workbook"

    company_id = fields.Many2one(
        "res.company",
        string="Association",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [
            ("osmd_kind", "!=", False),
            ("id", "in", self.env.user.company_ids.ids),
        ],
    )
    file = fields.Binary(
        string="Workbook",
        help="The registry workbook (.xlsx), filled in from the template.",
    )
    filename = fields.Char()

    @api.constrains("company_id")
    def _check_own_association(self):
        check_own_associations(self)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_download_template(self):
        return {"type": "ir.actions.act_url", "url": TEMPLATE_URL, "target": "download"}

    def action_import(self):
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the workbook to import."))
        counts = self._import_file(self.company_id, base64.b64decode(self.file))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Registry imported"),
                "message": self._counts_message(counts),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------

    @api.model
    def _import_file(self, company, content):
        """Parse, check and import ``content`` (xlsx bytes) into ``company``."""
        self._check_company_access(company)
        data = self._parse_file(content, company)
        return self.with_company(company)._import_data(company, data)

    @api.model
    def _check_company_access(self, company):
        if company not in self.env.user.company_ids:
            # another association's name is not echoed back
            raise AccessError(self.env._("You can only work on the data of your own association."))
        if not company.osmd_kind:
            raise AccessError(self.env._("You cannot import into %(company)s.", company=company.name))

    @api.model
    def _parse_file(self, content, company=None):
        """Parse and validate the workbook; raise a UserError listing every bad row.

        ``company`` is the association imported into (None for one not created
        yet): its buildings may be referred to by the rows.
        """
        known_buildings = []
        if company:
            known_buildings = (
                self.env["osmd.building"]
                .with_context(active_test=False)
                .search_fetch([("company_id", "=", company.id)], ["name"])
                .mapped("name")
            )
        data = parse_registry(
            content,
            today=fields.Date.context_today(self),
            known_buildings=known_buildings,
            translators=self._get_translators(),
        )
        if data.errors:
            self._raise_errors(data.errors)
        return data

    def _get_translators(self):
        """One translation function per installed language, the user's first."""
        langs = [self.env.lang or "en_US"]
        langs += [code for code, _name in self.env["res.lang"].get_installed() if code not in langs]
        return [self._get_translator(lang) for lang in langs]

    def _get_translator(self, lang):
        env = self.with_context(lang=lang).env
        # env._ takes the module of its caller (this file: osmd_base) for the terms
        return lambda text: env._(text)

    @api.model
    def _import_data(self, company, data):
        """Check ``data`` (a parsed RegistryData) against the database and create it."""
        existing_buildings = {
            normalize_key(building.name): building
            for building in self.env["osmd.building"]
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)])
        }
        used_numbers = set(
            self.env["osmd.account"].search_fetch([("company_id", "=", company.id)], ["number"]).mapped("number")
        )
        errors = self._check_database(data, existing_buildings, used_numbers)
        if errors:
            self._raise_errors(errors)
        return self._create_records(company, data, existing_buildings, used_numbers)

    @api.model
    def _check_database(self, data, existing_buildings, used_numbers):
        errors = []
        in_existing = {p["building_key"] for p in data.premises} & existing_buildings.keys()
        if in_existing:
            building_ids = [existing_buildings[key].id for key in in_existing]
            taken = {
                (normalize_key(premise.building_id.name), normalize_key(premise.number))
                for premise in self.env["osmd.premise"]
                .with_context(active_test=False)
                .search([("building_id", "in", building_ids)])
            }
            errors += [
                data.error(
                    "premises",
                    premise["row"],
                    "number",
                    MSG_PREMISE_EXISTS,
                    number=premise["number"],
                    building=premise["building"],
                )
                for premise in data.premises
                if premise["key"] in taken
            ]
        errors += [
            data.error(
                "accounts",
                account["row"],
                "number",
                MSG_ACCOUNT_NUMBER_USED,
                number=account["number"],
            )
            for account in data.accounts
            if account["number"] in used_numbers
        ]
        return errors

    @api.model
    def _create_records(self, company, data, existing_buildings, used_numbers):
        env = self.with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        ).env
        partners = self._get_partners(company, data.persons)
        buildings = env["osmd.building"].create(
            [self._prepare_building_vals(company, building) for building in data.buildings]
        )
        building_by_key = dict(existing_buildings)
        building_by_key.update(zip((b["key"] for b in data.buildings), buildings, strict=True))
        premises = env["osmd.premise"].create(
            [self._prepare_premise_vals(premise, building_by_key) for premise in data.premises]
        )
        premise_by_key = dict(zip((p["key"] for p in data.premises), premises, strict=True))
        ownerships = env["osmd.ownership"].create(
            [self._prepare_ownership_vals(ownership, premise_by_key, partners) for ownership in data.ownerships]
        )
        self._assign_account_numbers(company, data.accounts, used_numbers)
        accounts = env["osmd.account"].create(
            [
                {
                    "company_id": company.id,
                    "premise_id": premise_by_key[account["premise_key"]].id,
                    "number": account["number"],
                    "date_open": account["date_open"],
                }
                for account in data.accounts
            ]
        )
        account_by_key = dict(zip((a["premise_key"] for a in data.accounts), accounts, strict=True))
        env["osmd.account.holder"].create(
            [
                {
                    "account_id": account_by_key[account["premise_key"]].id,
                    "partner_id": partners[account["holder"]].id,
                    "date_start": account["date_open"],
                    "reason": "opening",
                }
                for account in data.accounts
            ]
        )
        residents = env["osmd.resident"].create(
            [
                {
                    "account_id": account_by_key[resident["premise_key"]].id,
                    "partner_id": partners[resident["person"]].id,
                    "relation": resident["relation"],
                    "date_start": resident["date_start"],
                    "is_counted": resident["is_counted"],
                }
                for resident in data.residents
            ]
        )
        return {
            "buildings": len(buildings),
            "premises": len(premises),
            "owners": len(ownerships.partner_id),
            "ownerships": len(ownerships),
            "accounts": len(accounts),
            "residents": len(residents),
        }

    @api.model
    def _get_partners(self, company, persons):
        """The partner of every person (by ref): found in the association by name
        and tax ID, phone or e-mail, or created with company_id = the association."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        existing = Partner.search_fetch(
            Domain("company_id", "=", company.id) & Domain("name", "in", list({p["name"] for p in persons})),
            ["name", "vat", "company_registry", "phone", "email"],
        )
        index = {}
        for partner in existing:
            name_key = normalize_key(partner.name)
            for kind, value in (
                ("tax", partner.vat),
                ("tax", partner.company_registry),
                ("phone", partner.phone),
                ("email", (partner.email or "").casefold()),
            ):
                if value:
                    index.setdefault((name_key, kind, value), partner)
        result, to_create = {}, []
        for person in persons:
            keys = [
                (person["key"], "tax", person["tax_id"]),
                (person["key"], "phone", person["phone"]),
                (person["key"], "email", (person["email"] or "").casefold()),
            ]
            partner = next((index[key] for key in keys if key[2] and key in index), None)
            if partner:
                result[person["ref"]] = partner
            else:
                to_create.append(person)
        # Owners are people of the association, kept by its staff: the roles that may
        # import need not create contacts in general, hence sudo with company_id set.
        created = (
            Partner.sudo()
            .with_context(tracking_disable=True, mail_create_nolog=True)
            .create([self._prepare_partner_vals(company, person) for person in to_create])
        )
        for person, partner in zip(to_create, created, strict=True):
            result[person["ref"]] = partner.sudo(False)
        return result

    @api.model
    def _prepare_partner_vals(self, company, person):
        vals = {
            "name": person["name"],
            "is_company": person["is_company"],
            "company_id": company.id,
            "country_id": company.country_id.id,
            "phone": person["phone"] or False,
            "email": person["email"] or False,
            # documents of the association are in its language, not the importing user's
            "lang": company.partner_id.lang or False,
        }
        if person["tax_id"]:
            vals["company_registry" if person["is_company"] else "vat"] = person["tax_id"]
        return vals

    @api.model
    def _prepare_building_vals(self, company, building):
        vals = {
            "company_id": company.id,
            "country_id": company.country_id.id,
            **{
                fname: building[fname]
                for fname in (
                    "name",
                    "street",
                    "city",
                    "zip",
                    "entrance_count",
                    "floor_count",
                    "year_built",
                )
            },
        }
        return {key: value for key, value in vals.items() if value is not None}

    @api.model
    def _prepare_premise_vals(self, premise, building_by_key):
        vals = {
            "building_id": building_by_key[premise["building_key"]].id,
            "number": premise["number"],
            "kind": premise["kind"],
            "entrance": premise["entrance"],
            "floor": premise["floor"],
            "rooms": premise["rooms"],
        }
        for fname in ("total_area", "living_area", "heated_area", "vote_area"):
            if premise[fname] is not None:
                # Decimal with 2 places -> the float Odoo stores in numeric(10, 2)
                vals[fname] = float(premise[fname])
        return {key: value for key, value in vals.items() if value is not None}

    @api.model
    def _prepare_ownership_vals(self, ownership, premise_by_key, partners):
        vals = {
            "premise_id": premise_by_key[ownership["premise_key"]].id,
            "partner_id": partners[ownership["person"]].id,
            **{
                fname: ownership[fname]
                for fname in (
                    "share_numerator",
                    "share_denominator",
                    "date_start",
                    "document_kind",
                    "document_number",
                    "document_date",
                )
            },
        }
        return {key: value for key, value in vals.items() if value is not None}

    @api.model
    def _assign_account_numbers(self, company, accounts, used_numbers):
        """Number the accounts given without one, skipping numbers already taken."""
        taken = used_numbers | {a["number"] for a in accounts if a["number"]}
        sequence = company._osmd_get_account_sequence().sudo()
        for account in accounts:
            while not account["number"]:
                number = sequence.next_by_id()
                if number not in taken:
                    account["number"] = number
                    taken.add(number)

    # ------------------------------------------------------------
    # MESSAGES
    # ------------------------------------------------------------

    @api.model
    def _raise_errors(self, errors):
        lines = []
        for error in errors:
            # the messages are marked with _lt() in tools/registry_import.py
            message = self.env._(error.message, **error.params)
            if not error.row:
                line = f"{error.sheet}: {message}" if error.sheet else message
            elif error.column:
                line = self.env._(
                    "%(sheet)s, row %(row)s, column %(column)s: %(message)s",
                    sheet=error.sheet,
                    row=error.row,
                    column=error.column,
                    message=message,
                )
            else:
                line = self.env._(
                    "%(sheet)s, row %(row)s: %(message)s",
                    sheet=error.sheet,
                    row=error.row,
                    message=message,
                )
            lines.append(line)
        raise UserError(
            "\n".join(
                [
                    self.env._(
                        "Nothing was imported: %(count)s problems in the workbook.",
                        count=len(errors),
                    ),
                    *lines,
                ]
            )
        )

    @api.model
    def _counts_message(self, counts):
        return self.env._(
            "Imported %(buildings)s buildings, %(premises)s premises, "
            "%(owners)s owners, %(accounts)s personal accounts and "
            "%(residents)s residents.",
            **counts,
        )
