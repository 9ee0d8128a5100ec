import { _t } from "@web/core/l10n/translation";
import { Record } from "@web/model/relational_model/record";
import { patch } from "@web/core/utils/patch";

/**
 * Odoo says "Missing required fields" (untranslated in Ukrainian) both for an empty required
 * field and for letters typed into a number: name the fields to fill in or correct instead.
 */
patch(Record.prototype, {
    _displayInvalidFieldNotification() {
        const labels = [...this._invalidFields].map((name) => this.fields[name]?.string || name);
        return this.model.notification.add(labels.join(", "), {
            title: _t("Fill in or correct these fields"),
            type: "danger",
        });
    },
});
