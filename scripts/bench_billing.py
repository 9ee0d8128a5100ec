"""Benchmark of osmd_billing (issue #4, "Performance"): not a test, it prints figures to compare with the targets.

Set-up: one association (``osmd_kind`` osbb) with the Ukrainian chart ``ua_psbo`` (loaded as
tests/common.py of osmd_billing does), ACCOUNTS premises with an owner, a personal account with a holder
and a counted resident each, in two buildings: a "sample" building with the first SAMPLE accounts and a
building with the rest. Five services without taxes (maintenance per m² of total area, heating per
heated m², garbage per counted person, intercom fixed per premise, cold water by consumption: a meter
per premise with one confirmed reading of the period), a tariff each and building subscriptions.

(a) Our path on every account: a billing run of March 2026 for all the buildings, ``action_compute``
    then ``action_post`` (the synchronous path: one batch), timed apart. Target: <= 60 s for 10 000
    accounts x 5 services. Rolled back to a savepoint afterwards. Skipped when SAMPLE = ACCOUNTS
    (then (b) is the full size).
(b) Our path on the SAMPLE accounts only (a run of the sample building), timed the same way.
(c) Odoo's standard path on the same SAMPLE accounts: ``account.move.create(vals_list)`` of plain
    out_invoices in one batch (same partners, one line per accrual line: quantity x price, the
    service's income account, no tax) then ``action_post()``. The standard path runs at 10-20
    invoices/s on a 2-core machine: BENCH_SAMPLE=10000 BENCH_ACCOUNTS=10000 compares on the full size
    in about 20 minutes, a smaller sample gives the ratio sooner.
    The ledger totals (debit and credit per account of the invoices' lines) of (b) and (c) must be equal.

Where our path spends its time: compute reads everything in a fixed number of queries and writes the
accrual lines with one COPY (``osmd.billing.line._create_in_bulk``); posting writes the invoices of the
accrual shape (no tax, no payment term...) with COPY too, after checking column by column that the rows
it builds for reference invoices (the first one, then one for each product not on an earlier one) equal
the ones Odoo's create + action_post wrote for them, and writing the references' chatter for each
invoice (``account.move._osmd_create_posted_invoices``). What is left is mostly PostgreSQL maintaining the
indexes and foreign keys of account_move_line.

Run it in its own fresh database with osmd_base, osmd_metering and osmd_billing installed, from the
repository root, with the venv and odoo.conf of scripts/setup.sh ($ODOO_SRC: the Odoo 19.0 source, by
default ~/.cache/osmd/odoo-19.0; the connection: the OSMD_DB_* values that scripts/pg.sh writes to
var/pg.env):

    set -a; . var/pg.env; set +a
    ARGS=(-c odoo.conf --addons-path="$ODOO_SRC/addons,$PWD/addons" --db_user="$OSMD_DB_USER"
          --db_host="$OSMD_DB_HOST" --db_port="$OSMD_DB_PORT")
    .venv/bin/python "$ODOO_SRC/odoo-bin" "${ARGS[@]}" -d osmd_bench -i osmd_base,osmd_metering,osmd_billing \
        --stop-after-init
    .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench --no-http --log-level=warn \
        < scripts/bench_billing.py

The sizes can be changed with the environment (BENCH_ACCOUNTS=2000 BENCH_SAMPLE=500 ...);
BENCH_PROFILE=1 prints a cProfile of ``action_post`` of the sample run (b) and dumps it to
/tmp/bench_billing_post.prof.
(``env`` is the superuser environment of the shell.) Everything is rolled back at the end, so the
database can be reused. Peak memory is the process's maximum resident set size.
"""

import cProfile
import os
import pstats
import resource
import time
from datetime import date

from odoo import Command

ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "10000"))
SAMPLE = min(int(os.environ.get("BENCH_SAMPLE", "1000")), ACCOUNTS)  # accounts compared with the standard path
PROFILE = bool(os.environ.get("BENCH_PROFILE"))
PERIOD = date(2026, 3, 1)
QUIET = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True, "no_reset_password": True}


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __init__(self, env, label):
        self.env, self.label, self.seconds = env, label, 0.0

    def __enter__(self):
        self.env.flush_all()
        self.queries = self.env.cr.sql_log_count
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.env.flush_all()
        self.seconds = time.perf_counter() - self.start
        self.queries = self.env.cr.sql_log_count - self.queries
        print(f"  {self.label:<58} {self.seconds:8.2f} s  {self.queries:6d} queries  peak RSS {peak_rss_mb():7.0f} MB")
        return False


def create_association(env):
    company = env["res.company"].create(
        {"name": "ОСББ Бенчмарк білінгу", "osmd_kind": "osbb", "country_id": env.ref("base.ua").id}
    )
    env["account.chart.template"].try_loading("ua_psbo", company, install_demo=False)
    return company


def create_registry(env, company, name, first, count):
    """A building with ``count`` premises numbered from ``first``, each with an owner, an account held by
    the owner, a counted resident and a cold-water meter with a confirmed reading of the period."""
    building = env["osmd.building"].create(
        {
            "name": name,
            "street": "вул. Benchmark, 2",
            "city": "Київ",
            "company_id": company.id,
            "entrance_count": 10,
            "floor_count": 25,
        }
    )
    numbers = range(first, first + count)
    premises = env["osmd.premise"].create(
        [
            {
                "building_id": building.id,
                "number": str(i),
                "total_area": 40 + (i % 60) + (i % 7) / 10,
                "heated_area": 38 + (i % 60),
                "entrance": 1 + (i - first) * 10 // count,
                "floor": 1 + i % 25,
            }
            for i in numbers
        ]
    )
    owners = env["res.partner"].create([{"name": f"Власник {i}", "company_id": company.id} for i in numbers])
    env["osmd.ownership"].create(
        [
            {"premise_id": premise.id, "partner_id": owner.id, "date_start": "2020-01-01"}
            for premise, owner in zip(premises, owners, strict=True)
        ]
    )
    accounts = env["osmd.account"].create(
        [
            {"premise_id": premise.id, "company_id": company.id, "holder_id": owner.id, "date_open": "2020-01-01"}
            for premise, owner in zip(premises, owners, strict=True)
        ]
    )
    env["osmd.resident"].create(
        [
            {"account_id": account.id, "partner_id": owner.id, "relation": "owner", "date_start": "2020-01-01"}
            for account, owner in zip(accounts, owners, strict=True)
        ]
    )
    water = env.ref("osmd_metering.utility_cold_water")
    meters = env["osmd.meter"].create(
        [
            {
                "serial": f"CW-{i:06d}",
                "company_id": company.id,
                "utility_id": water.id,
                "premise_id": premise.id,
                "install_date": date(2025, 1, 1),
                "digits": 5,
                "initial_value1": i % 100,
            }
            for i, premise in zip(numbers, premises, strict=True)
        ]
    )
    env["osmd.meter.reading"].create(
        [
            {"meter_id": meter.id, "date": date(2026, 3, 25), "value1": i % 100 + 3 + i % 9, "state": "confirmed"}
            for i, meter in zip(numbers, meters, strict=True)
        ]
    )
    return building, accounts


def create_services(env, company, buildings):
    Product = env["product.product"]
    water = env.ref("osmd_metering.utility_cold_water")
    specs = [
        ("Утримання будинку", "area_total", False, 8.50),
        ("Опалення", "area_heated", False, 30.00),
        ("Вивіз ТПВ", "persons", False, 45.00),
        ("Домофон", "fixed", False, 20.00),
        ("Холодна вода", "consumption", water.id, 30.17),
    ]
    products = Product.create(
        [
            {
                "name": name,
                "osmd_basis": basis,
                "osmd_utility_id": utility,
                "company_id": company.id,
                "taxes_id": [Command.clear()],
            }
            for name, basis, utility, _price in specs
        ]
    )
    env["osmd.tariff"].create(
        [
            {"company_id": company.id, "product_id": product.id, "price": spec[3], "date_start": "2025-01-01"}
            for product, spec in zip(products, specs, strict=True)
        ]
    )
    env["osmd.subscription"].create(
        [
            {
                "company_id": company.id,
                "building_id": building.id,
                "product_id": product.id,
                "date_start": "2025-01-01",
            }
            for building in buildings
            for product in products
        ]
    )
    return products


def ledger_totals(env, moves):
    """{account code: (debit, credit)} of the lines of ``moves``."""
    groups = env["account.move.line"]._read_group(
        [("move_id", "in", moves.ids)], ["account_id"], ["debit:sum", "credit:sum"]
    )
    return {account.code: (round(debit, 2), round(credit, 2)) for account, debit, credit in groups}


def our_path(env, company, buildings, label, profile=False):
    """Compute and post a billing run of ``buildings``: (compute s, post s, invoices, ledger totals)."""
    run = env["osmd.billing.run"].create(
        {"company_id": company.id, "period": PERIOD, "building_ids": [Command.set(buildings.ids)]}
    )
    env.invalidate_all()
    with Timer(env, f"{label}: action_compute") as compute:
        run.action_compute()
    assert not run.problem_ids, run.problem_ids[:5].mapped("message")
    env.invalidate_all()
    profiler = cProfile.Profile() if profile else None
    with Timer(env, f"{label}: action_post ({run.account_count} invoices)") as post:
        if profiler:
            profiler.enable()
        run.action_post()
        if profiler:
            profiler.disable()
    if profiler:
        profiler.dump_stats("/tmp/bench_billing_post.prof")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    moves = run.move_ids
    assert run.state == "posted" and set(moves.mapped("state")) == {"posted"}
    total = compute.seconds + post.seconds
    print(
        f"  => {label}: {len(moves)} invoices, {len(run.line_ids)} accrual lines, {run.amount_total:.2f} UAH: "
        f"compute {compute.seconds:.2f} s + post {post.seconds:.2f} s = {total:.2f} s, "
        f"{len(moves) / total:.1f} invoices/s (post alone {len(moves) / post.seconds:.1f}/s)"
    )
    return run, total, ledger_totals(env, moves)


def standard_path(env, run):
    """Odoo's standard batch create + post of the same invoices as ``run``, without our models."""
    lines_by_account = run.line_ids.grouped("account_id")
    income = {product: product.product_tmpl_id._get_product_accounts()["income"] for product in run.line_ids.product_id}
    vals_list = [
        {
            "move_type": "out_invoice",
            "company_id": run.company_id.id,
            "journal_id": run.journal_id.id,
            "partner_id": lines[0].partner_id.id,
            "invoice_date": run.date_invoice,
            "date": run.date_invoice,
            "currency_id": run.currency_id.id,
            "payment_reference": account.number,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": line.explanation,
                        "quantity": line.invoice_quantity,
                        "price_unit": line.invoice_price_unit,
                        "account_id": income[line.product_id].id,
                        "tax_ids": [Command.clear()],
                    }
                )
                for line in lines
            ],
        }
        for account, lines in lines_by_account.items()
    ]
    env.invalidate_all()
    Move = env["account.move"].with_context(**QUIET)
    with Timer(env, f"standard: account.move.create({len(vals_list)} invoices)") as create:
        moves = Move.create(vals_list)
    with Timer(env, f"standard: action_post ({len(moves)} invoices)") as post:
        moves.action_post()
    total = create.seconds + post.seconds
    print(
        f"  => standard: {len(moves)} invoices: create {create.seconds:.2f} s + post {post.seconds:.2f} s = "
        f"{total:.2f} s, {len(moves) / total:.1f} invoices/s"
    )
    return total, ledger_totals(env, moves)


def print_totals(label, totals):
    debit = sum(d for d, _c in totals.values())
    credit = sum(c for _d, c in totals.values())
    print(f"  {label} ledger: " + ", ".join(f"{code} D {d:.2f} C {c:.2f}" for code, (d, c) in sorted(totals.items())))
    print(f"  {label} ledger total: debit {debit:.2f}, credit {credit:.2f}")


def main(env):
    started = time.perf_counter()
    env = env(context=dict(env.context, lang="en_US", **QUIET))
    print(f"set-up: one association, {ACCOUNTS} accounts x 5 services (sample {SAMPLE})")
    company = create_association(env)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    sample_building, sample_accounts = create_registry(env, company, "Будинок вибірки", 1, SAMPLE)
    buildings = sample_building
    if ACCOUNTS > SAMPLE:
        buildings |= create_registry(env, company, "Будинок решти", SAMPLE + 1, ACCOUNTS - SAMPLE)[0]
    create_services(env, company, buildings)
    env.flush_all()
    print(f"  set-up done in {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB")

    full_total = None
    if ACCOUNTS > SAMPLE:
        print(f"(a) our path on all {ACCOUNTS} accounts")
        env.cr.execute("SAVEPOINT bench_billing_full")
        _run, full_total, full_totals = our_path(env, company, buildings, f"ours, {ACCOUNTS}")
        print_totals("ours, all", full_totals)
        env.flush_all()
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_billing_full")
        env.invalidate_all()
        target = "OK" if ACCOUNTS >= 10_000 and full_total <= 60 else "MISSED or not at full size"
        print(
            f"  => {ACCOUNTS} accounts computed and posted in {full_total:.2f} s; target <= 60 s for 10 000: {target}"
        )

    print(f"(b) our path on the sample of {SAMPLE} accounts")
    run, ours_total, ours_totals = our_path(env, company, sample_building, f"ours, {SAMPLE}", profile=PROFILE)
    assert len(run.move_ids) == len(sample_accounts)
    if full_total is None:
        full_total = ours_total
        target = "OK" if SAMPLE >= 10_000 and ours_total <= 60 else "MISSED or not at full size"
        print(f"  => {SAMPLE} accounts computed and posted in {ours_total:.2f} s; target <= 60 s for 10 000: {target}")
    print(f"(c) Odoo's standard path on the same {SAMPLE} accounts")
    standard_total, standard_totals = standard_path(env, run)
    print_totals("ours", ours_totals)
    print_totals("standard", standard_totals)
    equal = ours_totals == standard_totals
    print(f"  => ledger totals equal: {equal}")
    print(
        f"  => ratio on {SAMPLE} accounts: standard {standard_total:.2f} s / ours {ours_total:.2f} s = "
        f"{standard_total / ours_total:.1f}x (ours {SAMPLE / ours_total:.1f} vs {SAMPLE / standard_total:.1f} "
        "invoices/s)"
    )
    if full_total is not None:
        print(f"  => full size: {ACCOUNTS} accounts in {full_total:.2f} s, {ACCOUNTS / full_total:.1f} invoices/s")
    print(f"total {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB; rolling back")
    env.cr.rollback()


if os.environ.get("BENCH_MAIN", "1") == "1":  # scripts/bench_penalty.py reuses the set-up without the benchmark
    main(env)  # noqa: F821 - `env` is provided by odoo-bin shell
