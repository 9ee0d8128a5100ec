"""Benchmark of the board's dashboard (issue #17: "the page under 1 s on a 10 000-account association"): not a
test, it prints figures.

Set-up (the registry and services of scripts/bench_billing.py): one association, ACCOUNTS accounts x 5 services in
one building of 10 entrances; a billing run computed and posted for each of the MONTHS months up to November 2026
(December 2025 - November 2026 by default: 12 x ACCOUNTS invoices); each month PAYERS accounts pay their last
invoice by a payment entry linked to the account (as a matched bank statement line books it), dated the 15th of the
next month; November readings for half of the meters; 50 open service requests. Tables are analyzed after the
set-up, as autovacuum does in a live database.

Measured, as the chairman, with every cache emptied before each call (what one page load costs the server):
``osmd.dashboard.get_data`` for the whole association, for one entrance and for a list of 100 accounts (period
November 2026, debts on 30.11.2026, the 12-month trend), and ``action_open_figure`` of the debtors (the list
behind the debt figure). Each is run 3 times; the best and the worst are printed.

Run it in its own fresh database with the addons installed, like bench_billing.py:

    .venv/bin/python "$ODOO_SRC/odoo-bin" "${ARGS[@]}" -d osmd_bench_dashboard -i osmd_dashboard --stop-after-init
    .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench_dashboard --no-http --log-level=warn \\
        < scripts/bench_dashboard.py

BENCH_ACCOUNTS (default 10000), BENCH_MONTHS (default 12) and BENCH_PAYERS (default 6000 a month) change the
sizes; BENCH_PROFILE=1 prints a cProfile of one whole-association call. BENCH_KEEP=1 commits the set-up (to look
at the dashboard in a browser, or to measure again with BENCH_REUSE=1, which skips the set-up when one was kept);
otherwise everything is rolled back.
"""

import cProfile
import os
import pstats
import runpy
import time
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command

os.environ["BENCH_MAIN"] = "0"
bench = runpy.run_path("scripts/bench_billing.py", init_globals={"env": env})  # noqa: F821 - odoo-bin shell
Timer, peak_rss_mb = bench["Timer"], bench["peak_rss_mb"]
ACCOUNTS = bench["ACCOUNTS"]
MONTHS = int(os.environ.get("BENCH_MONTHS", "12"))
PAYERS = min(int(os.environ.get("BENCH_PAYERS", "6000")), ACCOUNTS)
LAST = date(2026, 11, 1)
OPTIONS = {"date_from": "2026-11-01", "date_to": "2026-11-30"}


def pay(env, company, invoices, day):
    """A payment entry per invoice, linked to its account (bank debit, receivable credit), posted in one batch."""
    journal = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    moves = env["account.move"].create(
        [
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": day,
                "osmd_account_id": invoice.osmd_account_id.id,
                "line_ids": [
                    Command.create(
                        {"account_id": journal.default_account_id.id, "debit": invoice.amount_total, "credit": 0.0}
                    ),
                    Command.create(
                        {
                            "account_id": invoice.line_ids.filtered(
                                lambda line: line.account_type == "asset_receivable"
                            ).account_id.id,
                            "partner_id": invoice.partner_id.id,
                            "debit": 0.0,
                            "credit": invoice.amount_total,
                        }
                    ),
                ],
            }
            for invoice in invoices
        ]
    )
    moves.action_post()
    return moves


def measure(env, user, label, call, repeat=3):
    times = []
    for _index in range(repeat):
        env.invalidate_all()
        env.registry.clear_cache()
        with Timer(env, f"{label} (run {_index + 1})") as timer:
            call(env(user=user.id))
        times.append(timer.seconds)
    print(f"  => {label}: best {min(times):.3f} s, worst {max(times):.3f} s")
    return times


def setup(env, started):
    print(f"set-up: one association, {ACCOUNTS} accounts x 5 services, {MONTHS} months posted, {PAYERS} payers a month")
    company = bench["create_association"](env)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    building, accounts = bench["create_registry"](env, company, "Будинок", 1, ACCOUNTS)
    bench["create_services"](env, company, building)
    months = [LAST - relativedelta(months=index) for index in reversed(range(MONTHS))]
    for month in months:
        step = time.perf_counter()
        run = env["osmd.billing.run"].create({"company_id": company.id, "period": month})
        run.action_compute()
        run._do_post()  # months without readings only have warnings
        invoices = run.move_ids.sorted("id")
        offset = (month.month * 997) % ACCOUNTS
        payers = (invoices[offset:] + invoices[:offset])[:PAYERS]
        pay(env, company, payers, month + relativedelta(months=1, day=15) if month < LAST else date(2026, 11, 28))
        env.flush_all()
        env.invalidate_all()
        # the statistics autovacuum keeps in a live database (this transaction is not committed, autovacuum does
        # not see it): without them the planner takes the months already posted for a few rows
        env.cr.execute("ANALYZE account_move, account_move_line, account_partial_reconcile, osmd_billing_line")
        print(f"  {month:%m.%Y}: {len(invoices)} invoices, {len(payers)} payments, {time.perf_counter() - step:.1f} s")
    meters = env["osmd.meter"].search([("company_id", "=", company.id)])
    env["osmd.meter.reading"].create(
        [
            {"meter_id": meter.id, "date": date(2026, 11, 24), "value1": 200 + index % 40, "state": "submitted"}
            for index, meter in enumerate(meters[::2])
        ]
    )
    category = env["helpdesk.ticket.category"].search([("company_id", "=", company.id)], limit=1)
    env["helpdesk.ticket"].create(
        [
            {
                "company_id": company.id,
                "category_id": category.id,
                "osmd_account_id": account.id,
                "name": f"Заявка {index}",
                "description": "<p>Бенчмарк</p>",
            }
            for index, account in enumerate(accounts[:50])
        ]
    )
    chairman = env["res.users"].create(
        {
            "name": "Голова бенчмарку",
            "login": "bench_dashboard_chairman",
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "group_ids": [Command.set(env.ref("osmd_base.group_osmd_chairman").ids)],
        }
    )
    env.flush_all()
    env.cr.execute(
        "ANALYZE account_move, account_move_line, account_partial_reconcile, osmd_account, osmd_meter_reading"
    )
    lines = env["account.move.line"].search_count([("company_id", "=", company.id)])
    seconds = time.perf_counter() - started
    print(f"  set-up done in {seconds:.1f} s: {lines} journal items, peak RSS {peak_rss_mb():.0f} MB")
    return env, building, accounts, chairman


def main(env):
    started = time.perf_counter()
    env = env(context=dict(env.context, lang="en_US", **bench["QUIET"]))
    chairman = env["res.users"].search([("login", "=", "bench_dashboard_chairman")])
    if chairman and os.environ.get("BENCH_REUSE"):
        # the set-up committed by an earlier BENCH_KEEP=1 run: measure only
        company = chairman.company_id
        env = env(context=dict(env.context, allowed_company_ids=[company.id]))
        building = env["osmd.building"].search([("company_id", "=", company.id)], limit=1)
        accounts = env["osmd.account"].search([("company_id", "=", company.id)], order="id")
        lines = env["account.move.line"].search_count([("company_id", "=", company.id)])
        print(f"reusing the committed set-up: {len(accounts)} accounts, {lines} journal items")
    else:
        env, building, accounts, chairman = setup(env, started)
        if os.environ.get("BENCH_KEEP"):
            env.cr.commit()
            print("  set-up committed (BENCH_KEEP)")

    Dashboard = env["osmd.dashboard"]
    data = Dashboard.with_user(chairman).get_data(OPTIONS)
    print(
        f"  figures: charged {data['charged']:.2f}, collected {data['totals']['paid']:.2f} "
        f"({data['collection_rate']} %), debt {data['debt']:.2f} of {data['debtor_count']} debtors, "
        f"readings {data['readings']['received']}/{data['readings']['expected']}, "
        f"{data['requests']['open']} open requests"
    )
    if os.environ.get("BENCH_PROFILE"):
        env.invalidate_all()
        profiler = cProfile.Profile()
        profiler.enable()
        Dashboard.with_user(chairman).get_data(OPTIONS)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    some = accounts[:100].ids
    results = {
        "whole association": measure(
            env, chairman, "get_data, whole association", lambda e: e["osmd.dashboard"].get_data(OPTIONS)
        ),
        "one entrance": measure(
            env,
            chairman,
            "get_data, entrance 3",
            lambda e: e["osmd.dashboard"].get_data({**OPTIONS, "building_ids": building.ids, "entrances": [3]}),
        ),
        "100 accounts": measure(
            env,
            chairman,
            "get_data, a list of 100 accounts",
            lambda e: e["osmd.dashboard"].get_data({**OPTIONS, "account_ids": some}),
        ),
        "debtors list": measure(
            env,
            chairman,
            "action_open_figure('debtors')",
            lambda e: e["osmd.dashboard"].action_open_figure(OPTIONS, "debtors"),
        ),
    }
    print("summary (best / worst of 3, seconds):")
    for label, times in results.items():
        print(f"  {label:<20} {min(times):.3f} / {max(times):.3f}")
    print(f"total {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB")
    env.cr.rollback()


main(env)  # noqa: F821 - `env` is provided by odoo-bin shell
