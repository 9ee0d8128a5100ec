"""Benchmark of osmd_metering (issue #3): not a test, it prints figures to compare with the targets.

(a) A reading round of 500 premises: one association, a building with 500 premises, each with a
    cold-water meter and a previous confirmed reading; the engineer loads the round
    (``osmd.reading.round``), types 500 new values and saves: the lines' write (what the web client
    sends) and ``action_save`` (500 confirmed readings in one batch, checked and computed, then the
    round reloaded) are timed. Target: saving <= 3 s.
(b) Period consumption of 10 000 meters x 12 periods: 2 500 premises with 4 meters each (cold and
    hot water, gas, day/night electricity) and 12 monthly confirmed readings per meter (120 000,
    created through the ORM in batches of 5 000; the set-up time is printed apart), then
    ``osmd.meter.reading._get_period_consumption(meters, 12 periods)`` is timed with a cold cache and
    a few results are checked against values computed by hand. Target: <= 10 s.

Run it in its own fresh database with osmd_base and osmd_metering installed, from the repository
root, with the venv and odoo.conf of scripts/setup.sh ($ODOO_SRC: the Odoo 19.0 source, by default
~/.cache/osmd/odoo-19.0; the connection: the OSMD_DB_* values that scripts/pg.sh writes to var/pg.env):

    set -a; . var/pg.env; set +a
    ARGS=(-c odoo.conf --addons-path="$ODOO_SRC/addons,$PWD/addons" --db_user="$OSMD_DB_USER"
          --db_host="$OSMD_DB_HOST" --db_port="$OSMD_DB_PORT")
    .venv/bin/python "$ODOO_SRC/odoo-bin" "${ARGS[@]}" -d osmd_bench -i osmd_base,osmd_metering \
        --stop-after-init
    .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench --no-http --log-level=warn \
        < scripts/bench_metering.py

(``env`` is the superuser environment of the shell.) Everything is rolled back at the end, so the
database can be reused. Peak memory is the process's maximum resident set size.
"""

import resource
import time
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import Command

ROUND_SIZE = 500
BIG_PREMISES = 2_500  # x 4 meters = 10 000 meters
PERIODS = 12
BATCH = 5_000
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
        {"name": "ОСББ Бенчмарк", "osmd_kind": "osbb", "country_id": env.ref("base.ua").id}
    )
    engineer = (
        env["res.users"]
        .with_context(**QUIET)
        .create(
            {
                "name": "Інженер Бенчмарк",
                "login": "bench_engineer",
                "company_id": company.id,
                "company_ids": [Command.set(company.ids)],
                "group_ids": [Command.set([env.ref("osmd_base.group_osmd_engineer").id])],
            }
        )
    )
    return company, engineer


def create_premises(env, company, name, count, entrances):
    building = env["osmd.building"].create(
        {
            "name": name,
            "street": "вул. Benchmark, 1",
            "city": "Київ",
            "company_id": company.id,
            "entrance_count": entrances,
            "floor_count": 25,
        }
    )
    per_entrance = -(-count // entrances)
    premises = env["osmd.premise"].create(
        [
            {
                "building_id": building.id,
                "number": str(i),
                "total_area": 40 + i % 60,
                "entrance": 1 + (i - 1) // per_entrance,
                "floor": 1 + ((i - 1) % per_entrance) // 4,
            }
            for i in range(1, count + 1)
        ]
    )
    return building, premises


def bench_round(env):
    print(f"(a) reading round of {ROUND_SIZE} premises")
    company, engineer = create_association(env)
    env = env(context=dict(env.context, allowed_company_ids=[company.id], **QUIET))
    water = env.ref("osmd_metering.utility_cold_water")
    start = time.perf_counter()
    building, premises = create_premises(env, company, "Будинок раунду", ROUND_SIZE, 4)
    meters = env["osmd.meter"].create(
        [
            {
                "serial": f"CW-{i:05d}",
                "company_id": company.id,
                "utility_id": water.id,
                "premise_id": premise.id,
                "install_date": date(2024, 1, 1),
                "digits": 5,
                "initial_value1": i % 100,
            }
            for i, premise in enumerate(premises)
        ]
    )
    env["osmd.meter.reading"].create(
        [
            {"meter_id": meter.id, "date": date(2026, 9, 25), "value1": 100 + i % 100, "state": "confirmed"}
            for i, meter in enumerate(meters)
        ]
    )
    env.flush_all()
    print(
        f"  set-up: {len(premises)} premises, meters and previous readings          "
        f"{time.perf_counter() - start:8.2f} s"
    )

    # the engineer's session: no special context, the same path as the form
    user_env = env(user=engineer, context={"allowed_company_ids": [company.id], "lang": "en_US", "tz": "Europe/Kyiv"})
    user_env.invalidate_all()
    Round = user_env["osmd.reading.round"]
    with Timer(user_env, "load the round (500 lines with previous values)"):
        round_ = Round.create({"company_id": company.id, "building_id": building.id, "date": date(2026, 10, 25)})
        round_.action_load()
    lines = round_.line_ids
    assert len(lines) == ROUND_SIZE, len(lines)
    previous = {line.id: line.previous_value1 for line in lines}
    user_env.invalidate_all()
    with Timer(user_env, "write the 500 typed values (the form's save)") as typed:
        round_.write({"line_ids": [Command.update(line.id, {"value1": previous[line.id] + 7.5}) for line in lines]})
    user_env.invalidate_all()
    with Timer(user_env, "action_save: 500 confirmed readings in one batch") as save:
        round_.action_save()
    readings = user_env["osmd.meter.reading"].search(
        [("meter_id", "in", meters.ids), ("date", "=", date(2026, 10, 25))]
    )
    assert len(readings) == ROUND_SIZE and set(readings.mapped("consumption")) == {7.5}, readings.mapped("consumption")
    assert set(readings.mapped("state")) == {"confirmed"}
    total = typed.seconds + save.seconds
    print(
        f"  => round saved in {total:.2f} s (form save {typed.seconds:.2f} s + action_save {save.seconds:.2f} s); "
        f"target <= 3 s: {'OK' if total <= 3 else 'MISSED'}"
    )
    return company


def bench_period_consumption(env, company):
    print(f"(b) period consumption of {BIG_PREMISES * 4} meters x {PERIODS} periods")
    env = env(context=dict(env.context, allowed_company_ids=[company.id], **QUIET))
    utilities = [env.ref(f"osmd_metering.utility_{name}") for name in ("cold_water", "hot_water", "gas", "electricity")]
    start = time.perf_counter()
    _building, premises = create_premises(env, company, "Будинок на 2500", BIG_PREMISES, 10)
    meter_vals = []
    for i, premise in enumerate(premises):
        for utility in utilities:
            zones = 2 if utility.kind == "electricity" else 1
            meter_vals.append(
                {
                    "serial": f"B-{utility.kind}-{i:05d}",
                    "company_id": company.id,
                    "utility_id": utility.id,
                    "premise_id": premise.id,
                    "install_date": date(2024, 1, 1),
                    "digits": 5,
                    "zone_count": zones,
                    "initial_value1": 99_000 + i % 1000 if i % 50 == 0 else i % 1000,  # some roll over
                    "initial_value2": i % 500 if zones == 2 else 0,
                }
            )
    meters = env["osmd.meter"].create(meter_vals)
    env.flush_all()
    meters_done = time.perf_counter()
    print(
        f"  set-up: {len(premises)} premises and {len(meters)} meters                          "
        f"{meters_done - start:8.2f} s"
    )

    periods = [date(2025, 11, 1) + relativedelta(months=m) for m in range(PERIODS)]

    def monthly(meter_index, month, zone):
        """The consumption typed in by hand: a pattern per meter, zone and month."""
        return Decimal((meter_index * 7 + month * 3 + zone) % 23 + 1) + Decimal((meter_index + month) % 4) / 4

    values = {meter.id: list(meter._zone_values()) for meter in meters}
    expected = {}
    count = 0
    for month, period in enumerate(periods):
        vals_list = []
        for index, meter in enumerate(meters):
            row = values[meter.id]
            total = Decimal(0)
            for zone in range(meter.zone_count):
                qty = monthly(index, month, zone)
                row[zone] = float((Decimal(str(row[zone])) + qty) % 100_000)
                total += qty
            expected[meter.id, period] = total
            vals = {"meter_id": meter.id, "date": period.replace(day=25), "state": "confirmed", "source": "engineer"}
            vals.update({f"value{zone}": value for zone, value in enumerate(row, start=1)})
            vals_list.append(vals)
        for chunk in range(0, len(vals_list), BATCH):
            env["osmd.meter.reading"].create(vals_list[chunk : chunk + BATCH])
            count += len(vals_list[chunk : chunk + BATCH])
        env.flush_all()
        env.invalidate_all()
        meters = meters.browse(meters.ids)
        print(
            f"    {period:%m.%Y}: {count:7d} readings, {time.perf_counter() - meters_done:7.1f} s, "
            f"peak RSS {peak_rss_mb():6.0f} MB"
        )
    print(
        f"  set-up: {count} confirmed readings in batches of {BATCH}                    "
        f"{time.perf_counter() - meters_done:8.2f} s"
    )

    env.invalidate_all()
    meters = meters.browse(meters.ids)
    Reading = env["osmd.meter.reading"]
    with Timer(env, f"_get_period_consumption({len(meters)} meters, {PERIODS} periods)") as timer:
        result = Reading._get_period_consumption(meters, periods)
    assert len(result) == len(meters) * PERIODS, len(result)
    wrong = [(key, result[key], qty) for key, qty in expected.items() if result[key] != qty]
    assert not wrong, wrong[:5]
    for meter in meters[:1] | meters[3:4] | meters[3800:3801]:  # cold water, day/night, rolled over
        readings = Reading.search([("meter_id", "=", meter.id)], order="date")
        base = [Decimal(str(v)) for v in meter._zone_values()]
        for reading in readings:
            by_hand = Decimal(0)
            for zone, value in enumerate(reading._zone_values()):
                value = Decimal(str(value))
                by_hand += value - base[zone] if value >= base[zone] else 100_000 - base[zone] + value
                base[zone] = value
            assert result[meter.id, reading.period] == by_hand, (meter.serial, reading.period, by_hand)
        print(
            f"    {meter.serial} (zones {meter.zone_count}, initial {meter.initial_value1:g}): "
            + ", ".join(f"{result[meter.id, p]:g}" for p in periods[:4])
            + " … checked by hand"
        )
    print(
        f"  => {len(result)} period quantities in {timer.seconds:.2f} s, all {len(expected)} equal to the typed "
        f"consumption; target <= 10 s: {'OK' if timer.seconds <= 10 else 'MISSED'}"
    )


def main(env):
    started = time.perf_counter()
    company = bench_round(env)
    bench_period_consumption(env, company)
    print(f"total {time.perf_counter() - started:.1f} s, peak RSS {peak_rss_mb():.0f} MB; rolling back")
    env.cr.rollback()


main(env)  # noqa: F821 - `env` is provided by odoo-bin shell
