"""Benchmark of the penalties of a billing run (issue #16): not a test, it prints figures.

Set-up (the one of scripts/bench_billing.py): one association, ACCOUNTS accounts x 5 services, penalties on
(0.01 % a day, payment deadline the 20th). The runs of January, February and March 2026 are computed and posted
(the invoices of the earlier months are overdue in each); PAYERS accounts pay half of their January invoice on
10.03.2026, and PAYERS/2 of them are paid in full on 10.02 only after the March run was posted (a late-booked
payment: the April run corrects the penalty charged for February and March).

Measured: ``action_compute`` of the April run with penalties (three overdue invoices per account, each with
the days charged before recomputed) and the same run computed without penalties; the difference is the cost of
the penalties. Run it like bench_billing.py, in its own fresh database:

    .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench --no-http --log-level=warn \\
        < scripts/bench_penalty.py

BENCH_ACCOUNTS (default 10000) and BENCH_PAYERS (default 1000) change the sizes. Everything is rolled back.
"""

import os
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
    for invoice, amount in zip(invoices, amounts, strict=True):
        env["account.payment.register"].with_context(active_model="account.move", active_ids=invoice.ids).create(
            {"amount": amount, "payment_date": day, "journal_id": bank.id}
        )._create_payments()


def compute(env, company, label):
    run = env["osmd.billing.run"].create({"company_id": company.id, "period": APRIL})
    env.invalidate_all()
    with Timer(env, label) as timer:
        run.action_compute()
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
    print(f"  set-up done in {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB")

    env.cr.execute("SAVEPOINT bench_penalty")
    run, with_penalty = compute(env, company, f"April run of {ACCOUNTS} accounts, penalties on")
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
