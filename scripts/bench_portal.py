"""Benchmark of the resident cabinet (issue #12, "Performance"): not a test, it prints figures.

Odoo with workers (several processes) on 127.0.0.1, CLIENTS residents (threads, each signed in with its own session)
of an association of ACCOUNTS personal accounts, SECONDS of a resident's mix: ``/my``, the account page, a meter
reading sent (the check, then the sending: the second request is the one measured), the receipt PDF. Printed: requests,
p50/p95/p99 per page, errors.

Steps, from the repository root (ARGS as in bench_billing.py):

    # 1. a database with osmd_portal, ACCOUNTS accounts, a posted billing run, CLIENTS residents with cabinet access
    #    (committed); their logins are written to var/bench_portal.json
    .venv/bin/python "$ODOO_SRC/odoo-bin" "${ARGS[@]}" -d osmd_bench_portal -i osmd_portal --stop-after-init
    BENCH_STEP=setup .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench_portal --no-http \\
        < scripts/bench_portal.py
    # 1b. PostgreSQL's autovacuum is off on some development machines: vacuum before a load; receipts are
    #     generated once and kept: to measure first views again, forget the kept ones
    psql -d osmd_bench_portal -c "VACUUM ANALYZE"
    psql -d osmd_bench_portal -c "DELETE FROM ir_attachment WHERE res_field = 'invoice_pdf_report_file'"
    # 2. Odoo with workers (the receipt PDF needs wkhtmltopdf: Debian's package)
    .venv/bin/python "$ODOO_SRC/odoo-bin" "${ARGS[@]}" -d osmd_bench_portal --workers=4 --max-cron-threads=0 \\
        --http-port=8079 --db-filter=^osmd_bench_portal$ --log-level=warn &
    # 3. the load
    BENCH_STEP=load .venv/bin/python scripts/bench_portal.py

BENCH_ACCOUNTS (10000), BENCH_CLIENTS (20), BENCH_SECONDS (120), BENCH_RATE (requests per second of each resident,
Poisson arrivals, open loop; 0: back to back), BENCH_URL (http://127.0.0.1:8079).
"""

import json
import os
import platform
import random
import re
import runpy
import statistics
import threading
import time

STEP = os.environ.get("BENCH_STEP", "load")
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "10000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "120"))
URL = os.environ.get("BENCH_URL", "http://127.0.0.1:8079")
RATE = float(os.environ.get("BENCH_RATE", "0.5"))
USERS_FILE = "var/bench_portal.json"
# share of each page in a resident's visits
MIX = (("my", 0.35), ("account", 0.35), ("reading", 0.2), ("receipt", 0.1))


def setup(env):
    os.environ["BENCH_MAIN"] = "0"
    os.environ["BENCH_ACCOUNTS"] = str(ACCOUNTS)
    bench = runpy.run_path("scripts/bench_billing.py", init_globals={"env": env})
    env = env(context=dict(env.context, lang="en_US", **bench["QUIET"]))
    company = bench["create_association"](env)
    company.write({"osmd_reading_day_start": 1, "osmd_reading_day_end": 28})
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    building, accounts = bench["create_registry"](env, company, "Будинок", 1, ACCOUNTS)
    bench["create_services"](env, company, building)
    bench["our_path"](env, company, building, "billing run of March")
    group = env.ref("osmd_base.group_osmd_resident")
    users = []
    # residents spread over the house
    for index, account in enumerate(accounts[:: max(1, len(accounts) // CLIENTS)][:CLIENTS]):
        login = f"bench_resident_{index:02d}"
        env["res.users"].with_context(no_reset_password=True).create(
            {
                "login": login,
                "password": login,
                "partner_id": account.holder_id.id,
                "company_id": company.id,
                "company_ids": [(6, 0, [company.id])],
                "group_ids": [(6, 0, [group.id])],
            }
        )
        meter = env["osmd.meter"].search([("premise_id", "=", account.premise_id.id)], limit=1)
        invoice = env["account.move"].search(
            [("osmd_account_id", "=", account.id), ("move_type", "=", "out_invoice"), ("state", "=", "posted")],
            limit=1,
        )
        users.append(
            {
                "login": login,
                "account": account.id,
                "meter": meter.id,
                "last": meter.last_value1,
                "invoice": invoice.id,
            }
        )
    os.makedirs("var", exist_ok=True)
    with open(USERS_FILE, "w") as handle:
        json.dump(users, handle)
    # wkhtmltopdf fetches the report's styles from this server
    env["ir.config_parameter"].sudo().set_param("report.url", URL)
    env.cr.execute("ANALYZE")
    env.cr.commit()
    print(f"set-up: association {company.id}, {len(accounts)} accounts, {len(users)} residents in {USERS_FILE}")


def load():
    import requests  # noqa: PLC0415 - Odoo's dependency, only for this step

    with open(USERS_FILE) as handle:
        users = json.load(handle)[:CLIENTS]
    latencies = {name: [] for name, _share in MIX}
    errors = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def timed(name, call):
        started = time.perf_counter()
        try:
            response = call()
            status = response.status_code
            ok = status == 200 and (name != "receipt" or response.content[:4] == b"%PDF")
        except Exception as error:  # noqa: BLE001 - counted as an error of the run
            status, ok = repr(error)[:120], False
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies[name].append(elapsed)
            if not ok:
                errors.append((name, status))

    def client(seed, user):
        rng = random.Random(seed)
        session = requests.Session()
        page = session.get(f"{URL}/web/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        session.post(f"{URL}/web/login", data={"login": user["login"], "password": user["login"], "csrf_token": token})
        # signing in starts a new session: its own form token
        token = re.search(r'csrf_token: "([^"]+)"', session.get(f"{URL}/my").text).group(1)
        value = user["last"]
        next_at = time.monotonic()
        while True:
            if RATE:
                next_at += rng.expovariate(RATE)
                if next_at >= deadline:
                    break
                pause = next_at - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
            elif time.monotonic() >= deadline:
                break
            name = pick_page(rng)
            if name == "my":
                timed(name, lambda: session.get(f"{URL}/my"))
            elif name == "account":
                timed(name, lambda: session.get(f"{URL}/my/accounts/{user['account']}"))
            elif name == "receipt":
                timed(name, lambda: session.get(f"{URL}/my/accounts/{user['account']}/receipts/{user['invoice']}"))
            else:
                value += rng.randint(1, 5)
                form = f"{URL}/my/meters/{user['meter']}/reading"
                data = {"csrf_token": token, "value1": f"{value:.3f}".replace(".", ",")}
                session.post(form, data=data)  # the check: the resident reads the consumption
                timed(name, lambda data=data, form=form: session.post(form, data={**data, "send": "1"}))

    threads = [threading.Thread(target=client, args=(index, user)) for index, user in enumerate(users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    report(latencies, errors, wall, len(users))


def pick_page(rng):
    """A page of the mix, drawn with its share."""
    pick = rng.random()
    for name, share in MIX:
        if pick < share:
            return name
        pick -= share
    return MIX[-1][0]


def report(latencies, errors, wall, residents):
    print(f"machine: {platform.node()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    pace = f"{RATE:g} requests/s each (open loop)" if RATE else "back to back (closed loop)"
    print(f"{residents} residents, {pace}, {wall:.0f} s")
    for name, values in latencies.items():
        if not values:
            continue
        values.sort()
        p95 = values[max(int(len(values) * 0.95) - 1, 0)]
        p99 = values[max(int(len(values) * 0.99) - 1, 0)]
        print(
            f"  {name:8}: {len(values):6} requests ({len(values) / wall:5.1f}/s)"
            f"  p50 {statistics.median(values):7.1f} ms"
            f"  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  max {values[-1]:7.1f} ms"
        )
    print(f"  errors: {len(errors)}" + (f", first: {errors[:3]}" if errors else ""))


if STEP == "setup":
    setup(env)  # noqa: F821 - odoo-bin shell provides env
elif STEP == "load":
    load()
