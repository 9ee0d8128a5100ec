import base64

import pytz

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.osmd_billing.tools.formatting import fmt_number

from ..tools.exchange import read_votes, write_csv
from ..tools.tally import CHOICES, round_fraction, to_fraction


class OsmdMeetingExchange(models.TransientModel):
    """The register and the results as files for e-signature polling services and the state «Наш дім» system, and
    the votes they return, read with the same checks as any ballot (all rows checked first: one bad row, nothing
    written). The format is in ``tools/exchange.py``."""

    _name = "osmd.meeting.exchange"
    _description = "Meeting exchange files"

    meeting_id = fields.Many2one("osmd.meeting", required=True, ondelete="cascade")
    file = fields.Binary(string="Returned votes (CSV)")
    filename = fields.Char()
    result = fields.Char(readonly=True)

    def _download(self, name, data):
        attachment = self.env["ir.attachment"].create(
            {"name": name, "raw": data, "mimetype": "text/csv", "res_model": self._name, "res_id": self.id}
        )
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    def action_export_register(self):
        self.ensure_one()
        meeting = self.meeting_id
        total = meeting._total()
        rows = [
            [
                self._key(voter),
                voter.premises,
                voter.partner_id.name,
                voter.partner_id.vat or "",
                fmt_number(round_fraction(to_fraction(voter.votes_exact), 4), 4),
                fmt_number(round_fraction(to_fraction(voter.votes_exact) * 100 / total, 4), 4) if total else "0",
                voter.representative_id.name or "",
            ]
            for voter in meeting.voter_ids
        ]
        header = ["key", "premises", "co_owner", "tax_id", "votes_m2", "votes_percent", "representative"]
        return self._download(f"register-{meeting.id}.csv", write_csv(header, rows))

    def action_export_results(self):
        self.ensure_one()
        meeting = self.meeting_id
        tally = meeting._tally()
        labels = dict(self.env["osmd.meeting.question"]._fields["outcome"]._description_selection(self.env))
        header = ["question_no", "question"]
        for choice in CHOICES:
            header += [f"{choice}_m2", f"{choice}_percent", f"{choice}_heads"]
        header.append("outcome")
        rows = []
        for question in meeting.question_ids:
            entry = tally[question]
            row = [question.number, question.name]
            for choice in CHOICES:
                row += [
                    fmt_number(round_fraction(entry[choice][0], 2), 2),
                    fmt_number(entry["percent"][choice], 2),
                    entry[choice][1],
                ]
            row.append(labels[entry["outcome"]])
            rows.append(row)
        return self._download(f"results-{meeting.id}.csv", write_csv(header, rows))

    def _problem_text(self, code, values):
        texts = {
            "no_key_column": self.env._("there is no «key» column"),
            "unknown_question": self.env._("there is no such question on the agenda"),
            "no_questions": self.env._("there are no question columns (Q1, Q2, …)"),
            "empty_key": self.env._("the key is empty"),
            "duplicate_key": self.env._("%(value)s appears twice", **values) if values else "",
            "bad_choice": self.env._("«%(value)s» is not за, проти or утримався", **values) if values else "",
            "bad_moment": self.env._("«%(value)s» is not a date and time", **values) if values else "",
            "unknown_key": self.env._("%(value)s is not in this meeting's register", **values) if values else "",
        }
        return texts[code]

    @staticmethod
    def _key(voter):
        return f"{voter.meeting_id.id}-{voter.id}"

    def action_import_votes(self):
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose the file of returned votes."))
        meeting = self.meeting_id
        questions = {question.number: question for question in meeting.question_ids}
        rows, errors = read_votes(base64.b64decode(self.file), set(questions))
        voters = {self._key(voter): voter for voter in meeting.voter_ids}
        for row_number, key, _choices, _signed_at in rows:
            if key not in voters:
                errors.append((row_number, "key", "unknown_key", {"value": key}))
        if errors:
            raise UserError(
                self.env._("The file was not imported, nothing was written:")
                + "\n"
                + "\n".join(
                    self.env._(
                        "row %(row)s, %(column)s: %(problem)s",
                        row=row,
                        column=column,
                        problem=self._problem_text(code, values),
                    )
                    for row, column, code, values in errors[:30]
                )
            )
        tz = pytz.timezone(meeting.company_id.partner_id.tz or "Europe/Kyiv")
        counted = kept = 0
        for _row_number, key, choices, signed_at in rows:
            if not choices:
                continue
            cast_at = tz.localize(signed_at).astimezone(pytz.utc).replace(tzinfo=None) if signed_at else None
            results = meeting._record_votes(
                voters[key],
                {questions[number]: choice for number, choice in choices.items()},
                "import",
                cast_at,
                self.filename,
            )
            counted += sum(results.values())
            kept += sum(1 for accepted in results.values() if not accepted)
        self.result = self.env._(
            "Imported: %(counted)s vote(s) counted, %(kept)s cast earlier than the ones counted (kept in the log).",
            counted=counted,
            kept=kept,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
