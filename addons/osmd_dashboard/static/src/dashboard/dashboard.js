import { _t } from "@web/core/l10n/translation";
import { Component, onWillStart, useState } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { formatFloat } from "@web/core/utils/numbers";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useSetupAction } from "@web/search/action_hook";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const { DateTime } = luxon;

/**
 * The board's dashboard (an OWL client action): one call to osmd.dashboard.get_data for all its figures, one
 * call to action_open_figure for the records behind a figure. The options (period, building, entrances, a list
 * of personal accounts) stay when the user comes back through the breadcrumbs.
 */
export class OsmdDashboard extends Component {
    static template = "osmd_dashboard.Dashboard";
    static components = { DateTimeInput, Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.buckets = [
            ["0_30", _t("0–30 days")],
            ["31_90", _t("31–90 days")],
            ["91_180", _t("91–180 days")],
            ["180_plus", _t("Over 180 days")],
        ];
        const params = this.props.action.params || {};
        const saved = this.props.state?.options;
        this.state = useState({
            options: saved || {
                account_ids: params.account_ids || [],
                building_ids: [],
                entrances: [],
            },
            entrancesText: (saved?.entrances || []).join(", "),
            data: null,
            loading: false,
            error: null,
        });
        useSetupAction({ getLocalState: () => ({ options: this.state.options }) });
        onWillStart(() => this.load());
    }

    async load() {
        // a change of the options while an earlier answer is on its way: only the latest answer is shown (an older
        // one arriving last would put back the options it was asked with)
        const call = (this.lastCall = (this.lastCall || 0) + 1);
        this.state.loading = true;
        try {
            const data = await this.orm.call("osmd.dashboard", "get_data", [this.state.options]);
            if (call !== this.lastCall) {
                return;
            }
            this.state.data = data;
            this.state.options = { ...data.options };
            this.state.error = null;
        } catch (error) {
            if (call === this.lastCall) {
                this.state.error = error.data?.message || error.message;
            }
        } finally {
            if (call === this.lastCall) {
                this.state.loading = false;
            }
        }
    }

    // ------------------------------------------------------------
    // FORMATTING
    // ------------------------------------------------------------

    money(value) {
        return formatFloat(value || 0, { digits: [false, 2] });
    }

    percent(value) {
        return value === null || value === undefined ? "—" : `${formatFloat(value, { digits: [false, 1] })} %`;
    }

    barWidth(value, values) {
        const max = Math.max(...values.map((v) => Math.abs(v || 0)), 0);
        return max ? `${Math.round((Math.abs(value || 0) * 100) / max)}%` : "0%";
    }

    get trendMax() {
        const trend = this.state.data?.trend || [];
        return trend.flatMap((month) => [month.charged, month.paid]);
    }

    get agingValues() {
        const aging = this.state.data?.aging || {};
        return this.buckets.map(([key]) => aging[key] || 0);
    }

    get periodLabel() {
        const { date_from, date_to } = this.state.options;
        const fmt = (iso) => DateTime.fromISO(iso).toFormat("dd.MM.yyyy");
        return date_from && date_to ? `${fmt(date_from)} – ${fmt(date_to)}` : "";
    }

    get dateToLabel() {
        const { date_to } = this.state.options;
        return date_to ? DateTime.fromISO(date_to).toFormat("dd.MM.yyyy") : "";
    }

    // ------------------------------------------------------------
    // FILTERS
    // ------------------------------------------------------------

    setPeriod(kind) {
        const today = DateTime.now();
        let start, end;
        if (kind === "month") {
            start = today.startOf("month");
            end = today;
        } else if (kind === "previous") {
            start = today.minus({ months: 1 }).startOf("month");
            end = start.endOf("month");
        } else {
            start = today.startOf("year");
            end = today;
        }
        this.state.options.date_from = start.toISODate();
        this.state.options.date_to = end.toISODate();
        this.load();
    }

    dateValue(field) {
        const iso = this.state.options[field];
        return iso ? DateTime.fromISO(iso) : false;
    }

    onDate(field, value) {
        if (value) {
            this.state.options[field] = value.toISODate();
            this.load();
        }
    }

    onBuilding(ev) {
        const id = parseInt(ev.target.value);
        this.state.options.building_ids = id ? [id] : [];
        this.state.options.entrances = [];
        this.state.entrancesText = "";
        this.load();
    }

    onEntrances(ev) {
        const text = ev.target.value;
        this.state.entrancesText = text;
        this.state.options.entrances = text
            .split(",")
            .map((part) => parseInt(part.trim()))
            .filter((number) => Number.isInteger(number) && number >= 0 && number <= 99);
        this.load();
    }

    clearAccounts() {
        this.state.options.account_ids = [];
        this.load();
    }

    showMonth(month) {
        const start = DateTime.fromISO(month.month);
        this.state.options.date_from = start.toISODate();
        this.state.options.date_to = start.endOf("month").toISODate();
        this.load();
    }

    get buildingId() {
        return this.state.options.building_ids?.[0] || 0;
    }

    get entranceCount() {
        const building = (this.state.data?.buildings || []).find((b) => b.id === this.buildingId);
        return building ? building.entrances : 0;
    }

    // ------------------------------------------------------------
    // CLICK-THROUGH
    // ------------------------------------------------------------

    async open(figure, key = null) {
        const action = await this.orm.call("osmd.dashboard", "action_open_figure", [
            this.state.options,
            figure,
            key,
        ]);
        await this.action.doAction(action);
    }
}

registry.category("actions").add("osmd_dashboard", OsmdDashboard);
