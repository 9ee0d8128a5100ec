import base64
import re
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

from ..tools.consumption import to_decimal
from ..tools.reading_sheet import (
    COLUMNS,
    MSG_MISSING_COLUMNS,
    build_sheet,
    normalize_header,
    parse_sheet,
)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZONES = (1, 2, 3)


class OsmdReadingSheet(models.TransientModel):
    """Reading sheet (відомість): export the meters of a building for a period to XLSX, import it filled.

    The layout and the parsing of the workbook live in ``tools/reading_sheet.py``. The import
    matches each filled row to a meter of the association (by the hidden id column, or by serial
    number and utility), checks the reading rules for every row and names every bad row with its
    number; if any row is bad nothing is saved, otherwise all rows become confirmed readings in
    one batch.
    """

    _name = "osmd.reading.sheet"
    _description = "Reading sheet"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        string="Association",
        required=True,
        default=lambda self: self.env.company,
    )
    building_id = fields.Many2one("osmd.building", check_company=True, help="The building of the exported sheet.")
    entrance = fields.Integer(help="Only the meters of this entrance; 0 = the whole building.")
    utility_id = fields.Many2one(
        "osmd.utility",
        check_company=True,
        help="Only the meters of this utility; empty = all utilities.",
    )
    period = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="Any day of the month the readings are taken for.",
    )
    reading_date = fields.Date(
        compute="_compute_reading_date",
        store=True,
        readonly=False,
        string="Reading day",
        help="Prefilled as the new date of every row of the exported sheet; on import, the date of the filled "
        "rows whose date is empty. Clear it to leave the dates to the engineer.",
    )
    file = fields.Binary(string="Filled sheet", attachment=False)
    filename = fields.Char()

    @api.depends("period", "company_id")
    def _compute_reading_date(self):
        for sheet in self:
            day = sheet.company_id.osmd_reading_day_end or 25
            sheet.reading_date = sheet.period.replace(day=min(day, 28)) if sheet.period else False

    @api.constrains("company_id")
    def _check_company_of_user(self):
        """A sheet is for an association the user works for: it names no other one, existing or not.
        (Constraints run as sudo: the user is ``env.user``; OdooBot and scripts are not limited.)"""
        if self.env.user._is_superuser():
            return
        if self.filtered(lambda sheet: sheet.company_id not in self.env.user.company_ids):
            raise ValidationError(self.env._("Choose one of your associations for the reading sheet."))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_export(self):
        self.ensure_one()
        attachment = self._export_attachment()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }

    def action_import(self):
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the filled reading sheet to import."))
        readings = self._import_content(base64.b64decode(self.file))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s readings imported.", count=len(readings)),
                "next": {
                    "type": "ir.actions.act_window",
                    "name": self.env._("Imported readings"),
                    "res_model": "osmd.meter.reading",
                    "views": [(False, "list"), (False, "form")],
                    "domain": [("id", "in", readings.ids)],
                    "target": "current",
                },
            },
        }

    # ------------------------------------------------------------
    # EXPORT
    # ------------------------------------------------------------

    def _export_attachment(self):
        self.ensure_one()
        if not self.building_id:
            raise UserError(self.env._("Choose the building of the reading sheet."))
        Round = self.env["osmd.reading.round"]
        meters = Round._search_meters(self.building_id, self.entrance, self.utility_id)
        if not meters:
            raise UserError(
                self.env._(
                    "%(building)s has no active meter to put on a reading sheet.",
                    building=self.building_id.display_name,
                )
            )
        previous = Round._get_previous_values(meters)
        labels = {key: self.env._(label) for key, label in COLUMNS}  # marked with _lt() in the tool
        content = build_sheet(
            [self._prepare_sheet_row(meter, previous[meter.id]) for meter in meters],
            labels=labels,
            title=self.period.strftime("%m.%Y"),
        )
        name = re.sub(r"[^\w.\- ]+", "_", f"{self.building_id.name} {self.period:%Y-%m}").strip()
        return self.env["ir.attachment"].create(
            {
                "name": self.env._("Readings %(name)s.xlsx", name=name),
                "raw": content,
                "mimetype": XLSX_MIMETYPE,
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _prepare_sheet_row(self, meter, previous):
        previous_date, values = previous
        row = {
            "building": meter.building_id.name,
            "entrance": meter.entrance,
            "floor": meter.floor if meter.premise_id else None,
            "premise": meter.premise_id.number or self.env._("House"),
            "utility": meter.utility_id.name,
            "serial": meter.serial,
            "zones": meter.zone_count,
            "previous_date": previous_date,
            "date": self.reading_date,
            "meter_id": meter.id,
        }
        for zone, value in zip(ZONES, values, strict=False):
            row[f"previous_value{zone}"] = to_decimal(value)
        return row

    # ------------------------------------------------------------
    # IMPORT
    # ------------------------------------------------------------

    def _import_content(self, content):
        """Check a filled sheet (xlsx bytes) and create its readings; raise a UserError naming every bad row."""
        self.ensure_one()
        data = parse_sheet(content, labels=self._get_header_labels(), default_date=self.reading_date)
        errors = [self._format_parse_error(error) for error in data.errors]
        matched, match_errors = self._match_rows(data.rows)
        errors += match_errors
        errors += self._check_zones(data.rows, matched)
        rule_errors, readings = self._create_readings(data.rows, matched, rollback=bool(errors))
        errors += rule_errors
        if errors:
            errors.sort(key=lambda error: error[0])
            raise UserError(
                "\n".join(
                    [
                        self.env._("Nothing was imported: %(count)s problems in the sheet.", count=len(errors)),
                        *(message for _row, message in errors),
                    ]
                )
            )
        if not readings:
            raise UserError(self.env._("The sheet has no new values to import."))
        return readings

    def _get_header_labels(self):
        """{column key: [the column's header in every installed language]}."""
        labels = defaultdict(list)
        for code, _name in self.env["res.lang"].get_installed():
            env = self.with_context(lang=code).env
            for key, label in COLUMNS:
                labels[key].append(env._(label))  # env._ takes this file's module for the terms
        return labels

    def _format_parse_error(self, error):
        params = dict(error.params)
        if error.message == MSG_MISSING_COLUMNS:
            labels = dict(COLUMNS)
            params["columns"] = ", ".join(self.env._(labels[key]) for key in params.pop("keys"))
        # the messages are marked with _lt() in tools/reading_sheet.py
        message = self.env._(error.message, **params)
        if error.column:
            column = self.env._(dict(COLUMNS)[error.column])
            message = self.env._("Row %(row)s, %(column)s: %(message)s", row=error.row, column=column, message=message)
        elif error.row:
            message = self.env._("Row %(row)s: %(message)s", row=error.row, message=message)
        return (error.row, message)

    def _row_error(self, row, message):
        return (row.row, self.env._("Row %(row)s: %(message)s", row=row.row, message=message))

    def _match_rows(self, rows):
        """({row number: meter}, [errors]): by the hidden id when it agrees with the serial number,
        otherwise by serial number and utility within the association. Two queries in all.

        Only the association's own meters are looked at, never with sudo: an id or a serial number
        of another association's meter gets the same answer as one that does not exist."""
        Meter = self.env["osmd.meter"].with_context(active_test=False)
        company = self.company_id
        serials = {row.serial for row in rows}
        ids = [row.meter_id for row in rows if row.meter_id]
        wanted = Domain("serial", "in", list(serials))
        if ids:
            wanted |= Domain("id", "in", ids)
        meters = Meter.search(Domain("company_id", "=", company.id) & wanted)
        by_id = {meter.id: meter for meter in meters}
        by_serial = defaultdict(list)
        for meter in meters:
            if meter.serial in serials:
                by_serial[meter.serial].append(meter)
        utility_names = self._get_utility_names(meters.utility_id)
        matched, errors = {}, []
        for row in rows:
            meter = by_id.get(row.meter_id)
            if meter and meter.serial == row.serial:
                matched[row.row] = meter
                continue
            found = [
                meter
                for meter in by_serial.get(row.serial, [])
                if not row.utility or normalize_header(row.utility) in utility_names[meter.utility_id.id]
            ]
            if len(found) == 1:
                matched[row.row] = found[0]
            elif found:
                errors.append(
                    self._row_error(
                        row,
                        self.env._(
                            "several meters have the serial number %(serial)s: fill in the utility.", serial=row.serial
                        ),
                    )
                )
            else:
                errors.append(
                    self._row_error(
                        row,
                        self.env._(
                            "no meter %(serial)s (%(utility)s) in %(association)s.",
                            serial=row.serial,
                            utility=row.utility or "-",
                            association=company.name,
                        ),
                    )
                )
        first_row = {}
        for row in rows:
            meter = matched.get(row.row)
            if not meter:
                continue
            if meter.id in first_row:
                errors.append(
                    self._row_error(
                        row,
                        self.env._(
                            "meter %(serial)s is already in row %(first)s.",
                            serial=meter.serial,
                            first=first_row[meter.id],
                        ),
                    )
                )
                del matched[row.row]
            else:
                first_row[meter.id] = row.row
        return matched, errors

    def _get_utility_names(self, utilities):
        """{utility id: {its normalised name in every installed language}}."""
        names = defaultdict(set)
        for code, _name in self.env["res.lang"].get_installed():
            for utility in utilities.with_context(lang=code):
                names[utility.id].add(normalize_header(utility.name))
        return names

    def _check_zones(self, rows, matched):
        """A value for each zone of the meter and none for a zone it does not have; bad rows are unmatched."""
        errors = []
        for row in rows:
            meter = matched.get(row.row)
            if not meter:
                continue
            problems = []
            for zone in ZONES:
                value = row.values[zone - 1]
                if zone <= meter.zone_count and value is None:
                    problems.append(
                        self.env._(
                            "meter %(serial)s has %(count)s zones: T%(zone)s is missing.",
                            serial=meter.serial,
                            count=meter.zone_count,
                            zone=zone,
                        )
                    )
                elif zone > meter.zone_count and value:
                    problems.append(
                        self.env._(
                            "meter %(serial)s has %(count)s zone(s): T%(zone)s must be empty.",
                            serial=meter.serial,
                            count=meter.zone_count,
                            zone=zone,
                        )
                    )
            if problems:
                del matched[row.row]
                errors += [self._row_error(row, problem) for problem in problems]
        return errors

    def _create_readings(self, rows, matched, rollback=False):
        """(errors, readings): create the readings of the matched rows in one batch.

        The reading rules are those of ``osmd.meter.reading`` (checked for the whole batch at once); each
        problem it reports names a meter, which is in one row only, so it is given that row's number.
        With ``rollback`` (other rows are bad) the readings are only checked, then rolled back.
        """
        Reading = self.env["osmd.meter.reading"]
        good = [row for row in rows if row.row in matched]
        if not good:
            return [], Reading
        with self.env.cr.savepoint() as savepoint:
            try:
                readings = Reading.create([self._prepare_reading_vals(row, matched[row.row]) for row in good])
            except ValidationError as exc:
                savepoint.close(rollback=True)
                return self._attribute_problems(str(exc.args[0]), good, matched), Reading
            if rollback:
                savepoint.close(rollback=True)
                readings = Reading
        return [], readings

    def _attribute_problems(self, text, rows, matched):
        """Row-numbered errors for the problem lines of a ValidationError of the reading rules."""
        names = sorted(((matched[row.row].display_name, row) for row in rows), key=lambda item: -len(item[0]))
        errors = []
        for line in filter(None, (line.strip() for line in text.splitlines())):
            row = next((row for name, row in names if name and name in line), None)
            errors.append(self._row_error(row, line) if row else (0, line))
        return errors

    def _prepare_reading_vals(self, row, meter):
        vals = {"meter_id": meter.id, "date": row.date, "source": "import", "state": "confirmed"}
        for zone in ZONES:
            value = row.values[zone - 1]
            vals[f"value{zone}"] = float(value) if value is not None and zone <= meter.zone_count else 0.0
        return vals
