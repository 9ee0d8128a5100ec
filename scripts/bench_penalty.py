"""Benchmark of the penalties of a billing run (issue #16): not a test, it prints figures.

Set-up (the one of scripts/bench_billing.py): one association, ACCOUNTS accounts x 5 services, penalties on
(0.01 % a day, payment deadline the 20th). The runs of January, February and March 2026 are computed and posted
(the invoices of the earlier months are overdue in each); PAYERS accounts pay half of their January invoice on
10.03.2026, and PAYERS/2 of them are paid in full on 10.02 only after the March run was posted (a late-booked
payment: the April run corrects the penalty charged for February and March).

Measured: ``action_compute`` of the April run with penalties (three overdue invoices per account, each with
the days charged before recomputed) and the same run computed without penalties; the difference is the cost of
the penalties. The tables are analyzed after the set-up, as autovacuum does in a live database. Run it like
bench_billing.py, in its own fresh database:

    .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench --no-http --log-level=warn \\
        < scripts/bench_penalty.py

BENCH_ACCOUNTS (default 10000) and BENCH_PAYERS (default 1000) change the sizes; BENCH_PROFILE=1 prints a cProfile
of the computation with penalties. Everything is rolled back.
"""

import cProfile
import os
import pstats
import runpy
import time
from datetime import date

os.environ["BENCH_MAIN"] = "0"
bench = runpy.run_path("scripts/bench_billing.py", init_globals={"env": env})  # noqa: F821 - odoo-bin shell
Timer, peak_rss_mb = bench["Timer"], bench["peak_rss_mb"]
ACCOUNTS = bench["ACCOUNTS"]
PAYERS = min(int(os.environ.get("BENCH_PAYERS", "1000")), ACCOUNTS)
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
APRIL = date(2026, 4, 1)


def pay(env, invoices, amounts, day):
    """One payment per invoice, dated ``day``, reconciled with it."""
    bank = env["account.journal"].search([("type", "=", "bank"), ("company_id", "=", invoices.company_id.id)], limit=1)
    for invoice_id, amount in zip(invoices.ids, amounts, strict=True):
        # one invoice at a time, out of the prefetch of the whole run (else Odoo recomputes all of them each time)
        env["account.payment.register"].with_context(active_model="account.move", active_ids=[invoice_id]).create(
            {"amount": amount, "payment_date": day, "journal_id": bank.id}
        )._create_payments()
        env.invalidate_all()


def compute(env, company, label, profile=False):
    run = env["osmd.billing.run"].create({"company_id": company.id, "period": APRIL})
    env.invalidate_all()
    profiler = cProfile.Profile() if profile else None
    with Timer(env, label) as timer:
        if profiler:
            profiler.enable()
        run.action_compute()
        if profiler:
            profiler.disable()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return run, timer.seconds


def main(env):
    started = time.perf_counter()
    env = env(context=dict(env.context, lang="en_US", **bench["QUIET"]))
    print(f"set-up: one association, {ACCOUNTS} accounts x 5 services, penalties on, {PAYERS} payers")
    company = bench["create_association"](env)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    building, _accounts = bench["create_registry"](env, company, "Будинок", 1, ACCOUNTS)
    bench["create_services"](env, company, building)
    company.osmd_penalty_enabled = True
    runs = {}
    for month in MONTHS:
        run = env["osmd.billing.run"].create({"company_id": company.id, "period": month})
        run.action_compute()
        run._do_post()  # the months without readings only have warnings
        runs[month] = run
        if month == MONTHS[1]:
            january = runs[MONTHS[0]].move_ids.sorted("id")[:PAYERS]
            pay(env, january, [round(m.amount_total / 2, 2) for m in january], date(2026, 3, 10))
    # a statement imported after the March run: the other half of some January invoices, paid on 10.02
    late = runs[MONTHS[0]].move_ids.sorted("id")[: PAYERS // 2]
    pay(env, late, [m.amount_residual for m in late], date(2026, 2, 10))
    env.flush_all()
    # the statistics autovacuum keeps in a live database once the months are posted (this transaction is not
    # committed, autovacuum does not see it): without them the planner takes 50 000 posted entries for 70
    env.cr.execute(
        "ANALYZE account_move, account_move_line, account_partial_reconcile, osmd_penalty_charge, osmd_billing_line,"
        " osmd_billing_run"
    )
    print(f"  set-up done in {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB")

    env.cr.execute("SAVEPOINT bench_penalty")
    run, with_penalty = compute(
        env, company, f"April run of {ACCOUNTS} accounts, penalties on", profile=bool(os.environ.get("BENCH_PROFILE"))
    )
    lines = run.line_ids.filtered(lambda line: line.kind == "penalty")
    charges = lines.penalty_charge_ids
    corrections = charges.filtered(lambda c: c.kind == "correction")
    print(
        f"  => {len(lines)} penalty lines, {len(charges)} charges ({len(corrections)} corrections, "
        f"{sum(corrections.mapped('amount')):.2f} UAH), penalties {sum(lines.mapped('amount')):.2f} UAH"
    )
    env.flush_all()
    env.cr.execute("ROLLBACK TO SAVEPOINT bench_penalty")
    env.invalidate_all()
    company.osmd_penalty_enabled = False
    _run, without = compute(env, company, f"April run of {ACCOUNTS} accounts, penalties off")
    print(
        f"  => compute with penalties {with_penalty:.2f} s, without {without:.2f} s: penalties cost "
        f"{with_penalty - without:.2f} s for {ACCOUNTS} accounts"
    )
    print(f"total {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB; rolling back")
    env.cr.rollback()


main(env)  # noqa: F821 - `env` is provided by odoo-bin shell
