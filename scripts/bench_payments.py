"""Benchmark of osmd_payments (issue #10, "Performance"): not a test, it prints figures.

Set-up (the one of scripts/bench_billing.py): one association with ACCOUNTS personal accounts, the March 2026
billing run computed and posted (one open invoice per account), the association's IBAN on its bank journal, and
the payers that earlier confirmed matches taught (``scripts/bench_payments_data.py``: ``make_learned``).

Measured: the import of a 1C ClientBankExchange statement of LINES incoming payments generated with the truth
(``generate``: every purpose pattern, typos, QR purposes, ~5 % without an account number but from a learned payer,
flats with addresses, partial and over-payments, a few outgoing / own-account / collector lump-sum / foreign lines),
through the statement import wizard: parsing + matching + creation of the bank lines + reconciliation with the
invoices, in one transaction. Then: how many resident payments were matched automatically, and how many went to a
wrong account (the generator knows the truth). Finally Odoo's standard way for the same kind of work on a sample:
``account.payment.register`` on one invoice at a time (SAMPLE payments), and the ratio per payment.

Run it in its own database with osmd_payments installed, from the repository root (see bench_billing.py for the
arguments):

    .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench --no-http --log-level=warn \\
        < scripts/bench_payments.py

BENCH_ACCOUNTS (default 10000), BENCH_LINES (default = ACCOUNTS), BENCH_SAMPLE (default 200); BENCH_PROFILE=1 prints
a cProfile of the import; BENCH_ALLOCATION=priority makes the association pay services by priority. Everything is
rolled back.
"""

import base64
import cProfile
import importlib.util
import os
import pstats
import runpy
import time
from datetime import date
from decimal import Decimal

os.environ["BENCH_MAIN"] = "0"
os.environ.setdefault("BENCH_SAMPLE", os.environ.get("BENCH_ACCOUNTS", "10000"))
bench = runpy.run_path("scripts/bench_billing.py", init_globals={"env": env})  # noqa: F821 - odoo-bin shell
Timer, peak_rss_mb, QUIET = bench["Timer"], bench["peak_rss_mb"], bench["QUIET"]
ACCOUNTS = bench["ACCOUNTS"]
LINES = int(os.environ.get("BENCH_LINES", str(ACCOUNTS)))
SAMPLE = int(os.environ.get("PAY_SAMPLE", "200"))
PROFILE = bool(os.environ.get("BENCH_PROFILE"))
_spec = importlib.util.spec_from_file_location(
    "payment_purposes", os.environ.get("BENCH_PURPOSES", "scripts/bench_payments_data.py")
)
purposes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(purposes)


def ua_iban(mfo, account):
    bban = f"{mfo:0>6}{account:0>19}"
    return f"UA{98 - int(bban + '301000') % 97:02d}{bban}"


def clientbank(own_iban, payments, day):
    """A 1C ClientBankExchange file (CP1251) of ``payments`` (generator dicts) into ``own_iban``."""
    out = [
        "1CClientBankExchange",
        "ВерсияФормата=1.03",
        "Кодировка=Windows",
        f"ДатаСоздания={day:%d.%m.%Y}",
        f"ДатаНачала={day:%d.%m.%Y}",
        f"ДатаКонца={day:%d.%m.%Y}",
        f"РасчСчет={own_iban}",
    ]
    for number, pay in enumerate(payments, start=1):
        amount = Decimal(pay["amount"])
        payer_iban = pay.get("partner_iban") or ua_iban("320649", f"2620{number:010d}")
        outgoing = amount < 0
        payer = (own_iban, "ОСББ Бенчмарк", "") if outgoing else (payer_iban, pay["partner_name"], pay["partner_code"])
        payee = (payer_iban, pay["partner_name"], pay["partner_code"]) if outgoing else (own_iban, "ОСББ Бенчмарк", "")
        purpose = pay["purpose"].replace("\n", " ")
        out += [
            "СекцияДокумент=Платіжне доручення",
            f"Номер={number}",
            f"Дата={day:%d.%m.%Y}",
            f"Сумма={abs(amount):.2f}",
            f"ПлательщикСчет={payer[0]}",
            f"Плательщик={payer[1]}",
            f"ПлательщикОКПО={payer[2]}",
            f"ПолучательСчет={payee[0]}",
            f"Получатель={payee[1]}",
            f"ПолучательОКПО={payee[2]}",
            f"НазначениеПлатежа={purpose}",
            f"КодВалюты={'840' if pay.get('currency') == 'USD' else '980'}",
            f"ДатаПоступило={day:%d.%m.%Y}",
            "КонецДокумента",
        ]
    out.append("КонецФайла")
    return ("\r\n".join(out) + "\r\n").encode("cp1251", errors="replace")


def standard_path(env, invoices, day):
    """Odoo's way: one account.payment.register per invoice (SAMPLE of them), reconciled with it."""
    journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", invoices.company_id.id)], limit=1
    )
    with Timer(env, f"standard: payment.register x {len(invoices)}") as timer:
        for invoice_id in invoices.ids:
            env["account.payment.register"].with_context(active_model="account.move", active_ids=[invoice_id]).create(
                {"amount": 10.0, "payment_date": day, "journal_id": journal.id}
            )._create_payments()
            env.invalidate_all()
    return timer.seconds


def main(env):
    started = time.perf_counter()
    env = env(context=dict(env.context, lang="en_US", **QUIET))
    print(f"set-up: one association, {ACCOUNTS} accounts, {LINES} statement lines")
    company = bench["create_association"](env)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    building, accounts = bench["create_registry"](env, company, "Будинок", 1, ACCOUNTS)
    bench["create_services"](env, company, building)
    run, _seconds, _totals = bench["our_path"](env, company, building, "billing run of March")
    company.osmd_edrpou = "43210989"
    # BENCH_ALLOCATION=priority: payments pay the services by priority (each invoice's lines read per account)
    company.osmd_payment_allocation = os.environ.get("BENCH_ALLOCATION", "proportional")
    company.osmd_iban = own_iban = purposes.OWN_IBAN
    keys = [(a.id, a.number, a.building_id.id, a.premise_id.number) for a in accounts]
    learned = purposes.make_learned(keys, seed=7)
    entries = []
    for (kind, key), links in learned.items():
        for account_id in links:
            entries.append(
                (account_id, key if kind == "iban" else "", key if kind == "code" else "", "", date(2026, 2, 5))
            )
    env["osmd.payer.link"]._learn(company, entries)
    payments = purposes.generate(keys, LINES, seed=1, learned=learned)
    data = clientbank(own_iban, payments, date(2026, 4, 8))
    env.flush_all()
    env.cr.execute("ANALYZE")
    print(f"  set-up done in {time.perf_counter() - started:.1f} s, file {len(data) / 1e6:.1f} MB")

    journal = company.osmd_bank_journal_id
    wizard = (
        env["account.statement.import"]
        .with_context(journal_id=journal.id)
        .create({"statement_file": base64.b64encode(data), "statement_filename": "bench.txt"})
    )
    env.invalidate_all()
    profiler = cProfile.Profile() if PROFILE else None
    with Timer(env, f"import + match + reconcile {LINES} lines") as timer:
        if profiler:
            profiler.enable()
        wizard.import_file_button()
        if profiler:
            profiler.disable()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    lines = env["account.bank.statement.line"].search([("journal_id", "=", journal.id)], order="sequence, id")
    assert len(lines) == len(payments), (len(lines), len(payments))
    resident = auto = wrong = review = unexpected = 0
    for line, pay in zip(lines, payments, strict=True):
        truth = pay["truth"]
        if truth:
            resident += 1
        if line.osmd_match_state == "auto":
            if line.osmd_matched_account_id.id == truth:
                auto += 1
            else:
                wrong += 1
        elif line.osmd_match_state == "todo":
            review += 1
        elif truth:
            unexpected += 1
    share = auto / resident * 100 if resident else 0
    print(
        f"  => {LINES} lines in {timer.seconds:.2f} s ({LINES / timer.seconds:.0f} lines/s): resident payments "
        f"{resident}, matched automatically {auto} ({share:.2f} %), wrong {wrong}, to review {review}, "
        f"resident lines classified as not resident {unexpected}"
    )
    target = (
        "OK" if LINES >= 10_000 and timer.seconds <= 60 and share >= 98 and not wrong else "MISSED or not at full size"
    )
    print(f"  => target (10 000 lines <= 60 s, >= 98 % automatic, 0 wrong): {target}")
    env.cr.execute(
        "SELECT ROUND(SUM(debit) - SUM(credit), 2) FROM account_move_line "
        "WHERE company_id = %s AND parent_state = 'posted'",
        [company.id],
    )
    print(f"  => ledger debit - credit: {env.cr.fetchone()[0]}")
    open_invoices = run.move_ids.filtered(lambda m: m.amount_residual > 10)[:SAMPLE]
    ours_per_line = timer.seconds / LINES
    standard = standard_path(env, open_invoices, date(2026, 4, 9))
    per = standard / max(len(open_invoices), 1)
    print(
        f"  => per payment: ours {ours_per_line * 1000:.1f} ms (parse, match, bank line, reconcile) vs Odoo's "
        f"payment.register {per * 1000:.1f} ms (payment + reconcile, no statement, no matching): "
        f"ratio {per / ours_per_line:.1f}x"
    )
    print(f"total {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB; rolling back")
    env.cr.rollback()


main(env)  # noqa: F821 - `env` is provided by odoo-bin shell
