"""Benchmark of a co-owners' meeting (issue #14): not a test, it prints figures.

Set-up (the registry of scripts/bench_billing.py): one association, one building of BENCH_ACCOUNTS premises (default
10 000), each with its owner. A general meeting with three questions.

Measured:
- building the register from the ownerships on the meeting's day ("Open the voting"),
- entering every co-owner's paper ballot one by one, as the ballot screen does (three votes each),
- the live tally the chairman's form shows (every question's m², %, heads and outcome) and the protocol's figures,
and it checks that the register and the tally sum to exactly the building's area. Run it in its own fresh database
with the addons installed (as bench_billing.py):

    .venv/bin/python "$ODOO_SRC/odoo-bin" shell "${ARGS[@]}" -d osmd_bench_voting --no-http --log-level=warn \\
        < scripts/bench_voting.py

Everything is rolled back.
"""

import os
import runpy
from datetime import datetime
from fractions import Fraction

os.environ["BENCH_MAIN"] = "0"
bench = runpy.run_path("scripts/bench_billing.py", init_globals={"env": env})  # noqa: F821 - odoo-bin shell
Timer, ACCOUNTS = bench["Timer"], bench["ACCOUNTS"]


def main(env):
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True, mail_create_nolog=True))
    company = bench["create_association"](env)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    building, _accounts = bench["create_registry"](env, company, "Будинок голосування", 1, ACCOUNTS)
    env.flush_all()
    env.cr.execute("ANALYZE")
    print(f"co-owners' meeting of {ACCOUNTS} premises, one owner each; three questions")
    meeting = env["osmd.meeting"].create(
        {
            "name": "Загальні збори",
            "company_id": company.id,
            "building_ids": [(6, 0, building.ids)],
            "date_meeting": datetime(2026, 12, 20, 14, 0),
            "question_ids": [(0, 0, {"name": f"Питання {n}", "sequence": n}) for n in (1, 2, 3)],
        }
    )
    with Timer(env, "register built (Open the voting)"):
        meeting.action_open_voting()
    voters = meeting.voter_ids
    total = meeting._total()
    exact = sum((Fraction(voter.votes_exact) for voter in voters), Fraction(0))
    area = sum((Fraction(str(premise.vote_area)) for premise in building.premise_ids), Fraction(0))
    print(
        f"  register: {len(voters)} co-owners, {float(total):.2f} m²; "
        f"sums exactly to the area: {exact == area == total}"
    )
    questions = meeting.question_ids
    choices = ("for", "for", "against", "abstain")
    env.invalidate_all()
    with Timer(env, f"{len(voters)} paper ballots entered one by one (3 votes each)") as timer:
        for index, voter in enumerate(voters):
            meeting._record_votes(
                voter,
                {question: choices[(index + question.sequence) % 4] for question in questions},
                "meeting",
                meeting.date_meeting,
            )
    print(f"  per ballot: {timer.seconds / len(voters) * 1000:.1f} ms")
    env.invalidate_all()
    with Timer(env, "live tally of the chairman's form (3 questions)"):
        questions.mapped("outcome")
        figures = [(q.for_percent, q.against_percent, q.abstain_percent, q.outcome) for q in questions]
    print(f"  {figures}")
    env.invalidate_all()
    with Timer(env, "protocol figures (tally, register apportioned)"):
        data = meeting._protocol_data()
    print(f"  protocol total {data['total_area']} m², {data['total_percent']} %")
    env.cr.rollback()


main(env)  # noqa: F821
