"""Benchmark of the payment gateway (issue #11, "Performance"): not a test, it prints figures.

Odoo with workers (several processes) on 127.0.0.1, CLIENTS concurrent agents' clients (threads), SECONDS of mixed
``check`` / ``pay`` on ACCOUNTS personal accounts, REPLAY of the payments sent again with the same transaction id
(a terminal that did not get the answer). Printed: requests, p50/p95/p99 per operation, errors, then from the
database: payments taken vs distinct transaction ids sent, duplicate payments (must be 0), ledger debit − credit.

Three steps, from the repository root (ARGS as in bench_billing.py):

    # 1. a database with osmd_payment_gateway, ACCOUNTS accounts, a posted billing run and an agent (committed);
    #    the agent's key is written to var/bench_gateway.key
    .venv/bin/python "$ODOO_SRC/odoo-bin" "${ARGS[@]}" -d osmd_bench_gw -i osmd_payment_gateway --stop-after-init
    BENCH_STEP=setup .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench_gw --no-http \\
        < scripts/bench_gateway.py
    # 1b. before every load: PostgreSQL's autovacuum is off on some development machines (`SHOW autovacuum`);
    #     without it the dead rows of earlier runs (customer ranks, reconciled items) slow every later run
    psql -d osmd_bench_gw -c "VACUUM ANALYZE"
    # 2. Odoo with workers
    .venv/bin/python "$ODOO_SRC/odoo-bin" "${ARGS[@]}" -d osmd_bench_gw --workers=4 --max-cron-threads=0 \\
        --http-port=8079 --db-filter=^osmd_bench_gw$ --log-level=warn &
    # 3. the load, then the checks in the database
    BENCH_STEP=load .venv/bin/python scripts/bench_gateway.py
    BENCH_STEP=verify .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench_gw --no-http \\
        < scripts/bench_gateway.py

BENCH_ACCOUNTS (10000), BENCH_CLIENTS (20), BENCH_SECONDS (120), BENCH_REPLAY (0.10), BENCH_PAY (0.5: share of pay
among the requests), BENCH_RATE (0: back to back; else requests per second of each client, Poisson arrivals),
BENCH_URL (http://127.0.0.1:8079).
"""

import json
import os
import platform
import random
import runpy
import statistics
import threading
import time
import urllib.error
import urllib.request

STEP = os.environ.get("BENCH_STEP", "load")
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "10000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "120"))
REPLAY = float(os.environ.get("BENCH_REPLAY", "0.10"))
PAY = float(os.environ.get("BENCH_PAY", "0.5"))
URL = os.environ.get("BENCH_URL", "http://127.0.0.1:8079")
# requests per second of each client (Poisson arrivals, open loop); 0: each client sends its next request as soon as
# it has the answer (closed loop, the server's saturation)
RATE = float(os.environ.get("BENCH_RATE", "0"))
KEY_FILE = "var/bench_gateway.key"
SENT_FILE = "var/bench_gateway.sent.json"


def setup(env):
    os.environ["BENCH_MAIN"] = "0"
    os.environ["BENCH_ACCOUNTS"] = str(ACCOUNTS)
    bench = runpy.run_path("scripts/bench_billing.py", init_globals={"env": env})
    env = env(context=dict(env.context, lang="en_US", **bench["QUIET"]))
    company = bench["create_association"](env)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    building, accounts = bench["create_registry"](env, company, "Будинок", 1, ACCOUNTS)
    bench["create_services"](env, company, building)
    bench["our_path"](env, company, building, "billing run of March")
    clearing = env["account.account"].create(
        {"code": "377190", "name": "Розрахунки з агентами", "account_type": "asset_current", "reconcile": True}
    )
    agent = env["osmd.payment.agent"].create(
        {
            "name": "Bench agent",
            "company_id": company.id,
            "ip_allowlist": "127.0.0.1 ::1",
            "rate_limit": 1000000,
            "clearing_account_id": clearing.id,
            "journal_id": env["account.journal"]
            .search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
            .id,
        }
    )
    key = agent.action_issue_key()["params"]["message"]
    os.makedirs("var", exist_ok=True)
    with open(KEY_FILE, "w") as handle:
        json.dump({"key": key, "accounts": accounts.mapped("number"), "company": company.id}, handle)
    env.cr.execute("ANALYZE")
    env.cr.commit()
    print(f"set-up: association {company.id}, {len(accounts)} accounts, agent {agent.id}; key in {KEY_FILE}")


def load():
    with open(KEY_FILE) as handle:
        config = json.load(handle)
    key, numbers = config["key"], config["accounts"]
    latencies = {"check": [], "pay": []}
    errors, statuses = [], {}
    sent = {}  # txn id -> (account, amount)
    lock = threading.Lock()
    run = f"B{int(time.time())}"  # transaction ids of this run only: the database keeps those of earlier runs
    deadline = time.monotonic() + SECONDS

    def call(operation, payload):
        body = json.dumps(payload).encode()
        request = urllib.request.Request(
            f"{URL}/osmd/api/v1/{operation}",
            data=body,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer = response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            status, answer = error.code, error.read()[:200]
        except Exception as error:  # noqa: BLE001 - counted as an error of the run
            status, answer = 0, repr(error)[:200]
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies[operation].append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200:
                errors.append((operation, status, answer))
        return status, answer

    def client(seed):
        rng = random.Random(seed)
        own = []
        serial = 0
        next_at = time.monotonic()
        while time.monotonic() < deadline:
            if RATE:
                next_at += rng.expovariate(RATE)
                pause = next_at - time.monotonic()
                if next_at >= deadline:  # the next arrival falls after the end of the run
                    break
                if pause > 0:
                    time.sleep(pause)
            number = rng.choice(numbers)
            if rng.random() < PAY:
                if own and rng.random() < REPLAY:
                    txn, number, amount = rng.choice(own)  # the terminal sends it again
                else:
                    serial += 1
                    txn, amount = f"{run}-{seed:02d}-{serial:07d}", f"{rng.randint(100, 200000) / 100:.2f}"
                    own.append((txn, number, amount))
                    with lock:
                        sent[txn] = (number, amount)
                call("pay", {"transaction_id": txn, "account": number, "amount": amount})
            else:
                call("check", {"account": number})

    threads = [threading.Thread(target=client, args=(index,)) for index in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    with open(SENT_FILE, "w") as handle:
        json.dump({"run": run, "sent": sent}, handle)
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    pace = f"{RATE:g} requests/s each (open loop)" if RATE else "back to back (closed loop)"
    print(f"{CLIENTS} clients, {pace}, {wall:.0f} s, replay rate {REPLAY:.0%}, statuses {statuses}")
    for operation, values in latencies.items():
        if not values:
            continue
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        p99 = values[int(len(values) * 0.99) - 1]
        print(
            f"  {operation:5}: {len(values):6} requests ({len(values) / wall:6.1f}/s)"
            f"  p50 {statistics.median(values):6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  max {values[-1]:7.1f} ms"
        )
    print(f"  errors: {len(errors)}" + (f", first: {errors[:3]}" if errors else ""))
    print(f"  distinct payments sent: {len(sent)} (in {KEY_FILE.replace('.key', '.sent.json')})")


def verify(env):
    with open(SENT_FILE) as handle:
        saved = json.load(handle)
    sent, pattern = saved["sent"], saved["run"] + "-%"
    env.cr.execute(
        "SELECT COUNT(*), COUNT(DISTINCT (agent_id, txn_id)) FROM osmd_payment_agent_transaction WHERE txn_id LIKE %s",
        [pattern],
    )
    taken, distinct = env.cr.fetchone()
    env.cr.execute(
        "SELECT COUNT(*) FROM (SELECT osmd_agent_transaction_id FROM account_move m "
        "JOIN osmd_payment_agent_transaction t ON t.id = m.osmd_agent_transaction_id WHERE t.txn_id LIKE %s "
        "GROUP BY 1 HAVING COUNT(*) > 1) d",
        [pattern],
    )
    duplicate_moves = env.cr.fetchone()[0]
    env.cr.execute("SELECT ROUND(SUM(debit) - SUM(credit), 2) FROM account_move_line WHERE parent_state = 'posted'")
    diff = env.cr.fetchone()[0]
    env.cr.execute("SELECT txn_id, amount FROM osmd_payment_agent_transaction WHERE txn_id LIKE %s", [pattern])
    wrong = sum(1 for txn, amount in env.cr.fetchall() if txn not in sent or f"{amount:.2f}" != sent[txn][1])
    print(
        f"payments sent {len(sent)}, taken {taken} (distinct {distinct}), duplicate payments {taken - distinct}, "
        f"entries per payment > 1: {duplicate_moves}, taken but not sent or another amount: {wrong}, "
        f"ledger debit - credit {diff}"
    )


if STEP == "setup":
    setup(env)  # noqa: F821 - odoo-bin shell
elif STEP == "verify":
    verify(env)  # noqa: F821 - odoo-bin shell
else:
    load()
