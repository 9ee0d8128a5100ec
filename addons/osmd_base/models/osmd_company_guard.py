from odoo import api, models
from odoo.exceptions import AccessError, MissingError

# res.users: a user's ``company_id`` is only the company it works in now, not the associations it
# belongs to; links to users are set by the code in sudo (staff members, submitted readings).
UNGUARDED_COMODELS = {"res.users"}


class Base(models.AbstractModel):
    """Association boundary of every stored osmd model, for writes by a user.

    Record rules are checked on a record before it is written, never on what it becomes: without
    this guard a user of association B could move one of B's records into A (``company_id``, or a
    ``building_id``/``run_id``/``account_id`` its association follows) or link it to A's records
    (a person, a tariff, an account), and change the records shared by every association.
    So, for a user (not in sudo mode):

    - a many2one/many2many value of an osmd record may only name records of the user's own
      associations (or records of no association);
    - after a write, the records must still pass the user's record rules for writing;
    - records of no association (shared reference data, e.g. a utility) are changed only by
      administrators.

    The refusals name nothing of the other association. Wizards (transient models) are not guarded
    here: they check their association themselves, with their own messages, and act through the
    guarded models.
    """

    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        if not self._osmd_is_guarded():
            return super().create(vals_list)
        self._osmd_check_targets(vals_list)
        records = super().create(vals_list)
        records._osmd_check_shared()
        return records

    def write(self, vals):
        if not self._osmd_is_guarded():
            return super().write(vals)
        self._osmd_check_targets([vals])
        self._osmd_check_shared()
        result = super().write(vals)
        if self._osmd_company_fields() & set(vals):
            # the association may follow a changed field (related, computed): check what the records became
            self.check_access("write")
        return result

    def unlink(self):
        if self._osmd_is_guarded():
            self._osmd_check_shared()
        return super().unlink()

    def _osmd_is_guarded(self):
        return (
            self._name.startswith("osmd.")
            and not self._transient
            and not self.env.su
            and not self.env.user._is_superuser()
        )

    def _osmd_company_fields(self):
        """Names of the fields a write of which may change the record's association."""
        field = self._fields.get("company_id")
        if not field:
            return set()
        names = {"company_id"}
        if field.related:
            names.add(field.related.split(".")[0])
        names.update(dep.split(".")[0] for dep in field.get_depends(self)[0])
        return names

    def _osmd_refusal(self):
        return AccessError(self.env._("You can only work on the data of your own association."))

    def _osmd_check_targets(self, vals_list):
        """Every record named by a relational value belongs to one of the user's associations (or to none)."""
        ids_by_comodel = {}
        for vals in vals_list:
            for fname, value in vals.items():
                field = self._fields.get(fname)
                if not field or not value or field.type not in ("many2one", "many2many"):
                    continue
                if field.comodel_name in UNGUARDED_COMODELS:
                    continue
                ids = ids_by_comodel.setdefault(field.comodel_name, set())
                if field.type == "many2one":
                    ids.add(value.id if isinstance(value, models.BaseModel) else value)
                    continue
                for command in value if isinstance(value, (list, tuple)) else []:
                    if isinstance(command, (list, tuple)) and command and command[0] == 6:
                        ids.update(command[2] or [])
                    elif isinstance(command, (list, tuple)) and command and command[0] == 4:
                        ids.add(command[1])
                    elif isinstance(command, int):
                        ids.add(command)
        allowed = self.env.user.company_ids
        for comodel, ids in ids_by_comodel.items():
            ids = {id_ for id_ in ids if isinstance(id_, int)}
            if not ids:
                continue
            targets = self.env[comodel].sudo().browse(ids)
            if comodel == "res.company":
                companies = targets
            elif "company_id" in targets._fields:
                try:
                    companies = targets.company_id
                except MissingError:
                    companies = targets.exists().company_id
            else:
                continue
            if companies - allowed:
                raise self._osmd_refusal()

    def _osmd_check_shared(self):
        """Records of no association are shared by all of them: only administrators change them."""
        if "company_id" not in self._fields or self.env.user._is_system():
            return
        if any(not record.company_id for record in self.sudo()):
            raise AccessError(
                self.env._(
                    "%(what)s: a record without an association is shared by every association; only an administrator "
                    "can create, change or delete it. Set your association on it.",
                    what=self.env["ir.model"].sudo()._get(self._name).name,
                )
            )
