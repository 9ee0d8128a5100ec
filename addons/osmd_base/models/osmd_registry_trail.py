from markupsafe import Markup

from odoo import api, models


class OsmdRegistryTrail(models.AbstractModel):
    """Who added, changed or removed a registry line, and when: a note on the parent's chatter.

    Ownerships, holders and residents are lines of a premise or an account; they have no chatter of
    their own, so each change is written as an internal note (never shown to residents) on the
    record they belong to, with the old and new values of the fields in ``_osmd_trail_fields``.
    One note per parent and operation, created in one batch, so imports stay fast. No context key
    turns it off (a client could pass it over RPC), unlike Odoo's field tracking.
    """

    _name = "osmd.registry.trail"
    _description = "Change trail of registry lines"

    # name of the Many2one to the mail.thread record that carries the trail, and the fields shown
    _osmd_trail_parent = None
    _osmd_trail_fields = ()

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._osmd_trail_log(self.env._("Added"), {rec: rec._osmd_trail_values() for rec in records})
        return records

    def write(self, vals):
        tracked = [name for name in self._osmd_trail_fields if name in vals]
        if not tracked or not self._osmd_trail_parent:
            return super().write(vals)
        before = {rec: rec._osmd_trail_values(tracked) for rec in self}
        res = super().write(vals)
        changes = {}
        for rec in self:
            after = rec._osmd_trail_values(tracked)
            diff = [(label, before[rec][label], value) for label, value in after.items() if value != before[rec][label]]
            if diff:
                changes[rec] = diff
        self._osmd_trail_log(self.env._("Changed"), changes)
        return res

    def unlink(self):
        removed = {rec: rec._osmd_trail_values() for rec in self}
        parents = {rec: rec[self._osmd_trail_parent] for rec in self} if self._osmd_trail_parent else {}
        res = super().unlink()
        self._osmd_trail_log(self.env._("Removed"), removed, parents)
        return res

    # ------------------------------------------------------------
    # HELPERS
    # ------------------------------------------------------------

    def _osmd_trail_format(self, name):
        self.ensure_one()
        field = self._fields[name]
        value = self[name]
        if not value and field.type != "boolean":
            return "—"
        if field.type == "date":
            return value.strftime("%d.%m.%Y")
        if field.type == "boolean":
            return self.env._("yes") if value else self.env._("no")
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        if field.type == "many2one":
            return value.sudo().display_name
        return str(value)

    def _osmd_trail_values(self, names=None):
        """{field label: displayed value} of the trailed fields (all of them by default)."""
        self.ensure_one()
        rec = self.sudo()  # the trail shows staff-only fields too; it is written as an internal note
        return {
            rec._fields[name]._description_string(self.env): rec._osmd_trail_format(name)
            for name in (names or self._osmd_trail_fields)
        }

    def _osmd_trail_log(self, action, changes, parents=None):
        """Log ``changes`` ({record: {label: value}} or {record: [(label, old, new)]}) on the parents."""
        if not changes or not self._osmd_trail_parent:
            return
        parents = parents or {rec: rec[self._osmd_trail_parent] for rec in changes}
        # the model's name in the user's language, e.g. "Частка власності приміщення"
        description = self.env["ir.model"].sudo()._get(self._name).name or self._description
        bodies = {}
        for rec, values in changes.items():
            parent = parents[rec]
            if not parent:
                continue
            if isinstance(values, dict):
                items = [Markup("<li>%s: %s</li>") % (label, value) for label, value in values.items()]
            else:
                items = [Markup("<li>%s: %s → %s</li>") % (label, old, new) for label, old, new in values]
            body = Markup("<p>%s — %s</p><ul>%s</ul>") % (description, action, Markup("").join(items))
            bodies.setdefault(parent, []).append(body)
        by_model = {}
        for parent, parts in bodies.items():
            by_model.setdefault(parent._name, {})[parent.id] = Markup("").join(parts)
        for model, model_bodies in by_model.items():
            self.env[model].browse(list(model_bodies))._message_log_batch(model_bodies)
