from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import OsmdCommon


@tagged("post_install", "-at_install", "osmd")
class TestOwnershipShares(OsmdCommon):
    def test_shared_ownership_sums_to_one(self):
        premise = self.data_a["premises"][0]
        self.assertEqual(sorted(premise.current_ownership_ids.mapped("share_display")), ["1/2", "1/2"])
        self.assertIn("Петренко Іван A (1/2)", premise.owner_names)

    def test_shares_not_summing_to_one_refused(self):
        premise = self.data_a["premises"][1]
        with self.assertRaisesMsg(ValidationError, r"sum to 4/3 instead of 1"):
            self.env["osmd.ownership"].create(
                {
                    "premise_id": premise.id,
                    "partner_id": self.data_a["owners"][0].id,
                    "share_numerator": 1,
                    "share_denominator": 3,
                    "date_start": "2024-01-01",
                }
            )

    def test_single_partial_share_refused(self):
        premise = self.env["osmd.premise"].create(
            {"building_id": self.data_a["building"].id, "number": "77", "total_area": 40}
        )
        with self.assertRaisesMsg(ValidationError, r"sum to 1/3 instead of 1"):
            self.env["osmd.ownership"].create(
                {
                    "premise_id": premise.id,
                    "partner_id": self.data_a["owners"][0].id,
                    "share_numerator": 1,
                    "share_denominator": 3,
                    "date_start": "2024-01-01",
                }
            )

    def test_thirds_are_exact(self):
        premise = self.env["osmd.premise"].create(
            {"building_id": self.data_a["building"].id, "number": "78", "total_area": 40}
        )
        owners = self.data_a["owners"]
        self.env["osmd.ownership"].create(
            [
                {
                    "premise_id": premise.id,
                    "partner_id": owners[0].id,
                    "share_numerator": 1,
                    "share_denominator": 3,
                    "date_start": "2024-01-01",
                },
                {
                    "premise_id": premise.id,
                    "partner_id": owners[1].id,
                    "share_numerator": 1,
                    "share_denominator": 3,
                    "date_start": "2024-01-01",
                },
                {
                    "premise_id": premise.id,
                    "partner_id": owners[2].id,
                    "share_numerator": 1,
                    "share_denominator": 3,
                    "date_start": "2024-01-01",
                },
            ]
        )
        self.assertEqual(len(premise.current_ownership_ids), 3)

    def test_invalid_fraction_refused(self):
        premise = self.data_a["premises"][1]
        with self.assertRaisesMsg(ValidationError, "3/2 is more than the whole premise"):
            self.env["osmd.ownership"].create(
                {
                    "premise_id": premise.id,
                    "partner_id": self.data_a["owners"][0].id,
                    "share_numerator": 3,
                    "share_denominator": 2,
                    "date_start": "2024-01-01",
                }
            )

    def test_form_edit_of_several_shares_in_one_save(self):
        """1/1 → 1/2 and a new co-owner 1/2 in the same save is accepted."""
        premise = self.data_a["premises"][1]
        ownership = premise.ownership_ids
        premise.write(
            {
                "ownership_ids": [
                    (1, ownership.id, {"share_denominator": 2}),
                    (
                        0,
                        0,
                        {
                            "partner_id": self.data_a["owners"][0].id,
                            "share_numerator": 1,
                            "share_denominator": 2,
                            "date_start": "2019-05-15",
                        },
                    ),
                ]
            }
        )
        self.assertEqual(sorted(premise.ownership_ids.mapped("share_display")), ["1/2", "1/2"])
        with self.assertRaisesMsg(ValidationError, "instead of 1"):
            premise.write({"ownership_ids": [(1, ownership.id, {"share_denominator": 3})]})

    def test_history_kept_and_gap_allowed(self):
        """Dates without any recorded owner are allowed; overlapping owners are not."""
        premise = self.data_a["premises"][2]
        old = premise.ownership_ids
        old.date_end = "2022-12-31"
        self.env["osmd.ownership"].create(
            {"premise_id": premise.id, "partner_id": self.data_a["owners"][0].id, "date_start": "2023-03-01"}
        )
        with self.assertRaisesMsg(ValidationError, "2/1 instead of 1"):
            old.date_end = "2023-06-30"
        self.assertEqual(premise.with_context(date=date(2021, 1, 1)).current_ownership_ids, old)


@tagged("post_install", "-at_install", "osmd")
class TestPremisesAndBuildings(OsmdCommon):
    def test_building_areas_exact(self):
        building = self.data_a["building"]
        self.assertEqual(building.premise_count, 3)
        self.assertEqual(building.total_area, 136.95)  # 52.30 + 71.15 + 13.50
        self.assertEqual(building.heated_area, 123.45)
        self.data_a["premises"][2].action_archive()
        self.assertEqual(building.total_area, 123.45)
        self.assertEqual(building.premise_count, 2)

    def test_vote_area_defaults_to_total(self):
        premise = self.data_a["premises"][0]
        self.assertEqual(premise.vote_area, 52.30)
        premise.vote_area = 50.00
        premise.total_area = 53.00
        self.assertEqual(premise.vote_area, 50.00, "an area set by hand for votes is kept")

    def test_premise_number_unique_per_building(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["osmd.premise"].create(
                {"building_id": self.data_a["building"].id, "number": "1", "total_area": 10}
            )
        other = self.env["osmd.premise"].create(
            {"building_id": self.data_b["building"].id, "number": "99", "total_area": 10}
        )
        self.assertTrue(other)

    def test_area_must_be_positive(self):
        with self.assertRaisesMsg(ValidationError, "Premise 500: the total area must be more than 0"):
            self.env["osmd.premise"].create(
                {"building_id": self.data_a["building"].id, "number": "500", "total_area": 0}
            )
        with self.assertRaisesMsg(ValidationError, "Premise 500: the total area must be more than 0"):
            self.env["osmd.premise"].create(
                {"building_id": self.data_a["building"].id, "number": "500", "total_area": -5}
            )
        # the database still refuses what bypasses the ORM checks
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.data_a["premises"][0].with_context(osmd_defer_share_check=True)._write({"total_area": 0})
        with self.assertRaisesMsg(ValidationError, "living area"):
            self.env["osmd.premise"].create(
                {"building_id": self.data_a["building"].id, "number": "501", "total_area": 30, "living_area": 31}
            )

    def test_implausible_numbers_refused_by_name(self):
        premise = self.data_a["premises"][0]
        building = self.data_a["building"]
        cases = [
            (premise, {"total_area": 99_999_999_999}, r"Premise 1: Total area, m² must be from 0\.00 to 100,000\.00"),
            (premise, {"heated_area": -1}, "Heated area, m² must be from"),
            (premise, {"vote_area": 100_000.01}, "Area for votes, m²"),
            (premise, {"rooms": 1000}, "Rooms must be from 0 to 99"),
            (premise, {"floor": 500}, "Floor must be from -10 to 200"),
            (building, {"floor_count": 0}, "Floors must be from 1 to 200"),
            (building, {"year_built": 20024}, "Year built must be from 1,700 to 2,100"),
        ]
        for record, vals, message in cases:
            with self.subTest(vals=vals), self.assertRaisesMsg(ValidationError, message):
                record.write(vals)
        with self.assertRaisesMsg(ValidationError, "Premise 9: Total area"):
            self.env["osmd.premise"].create({"building_id": building.id, "number": "9", "total_area": 1e11})
        ownership = premise.ownership_ids[0]
        with self.assertRaisesMsg(ValidationError, "Share denominator must be from 1 to 1,000,000"):
            ownership.write({"share_numerator": 1, "share_denominator": 10_000_000})
        with self.assertRaisesMsg(ValidationError, "3/2 is more than the whole premise"):
            ownership.share_numerator = 3
        premise.total_area = 100_000  # the bound itself is fine
        self.assertEqual(premise.total_area, 100_000)

    def test_premises_sorted_naturally(self):
        building = self.data_a["building"]
        self.env["osmd.premise"].create(
            [{"building_id": building.id, "number": n, "total_area": 10} for n in ("10", "9", "100", "9а")]
        )
        numbers = (
            self.env["osmd.premise"]
            .search([("building_id", "=", building.id), ("kind", "=", "apartment")])
            .mapped("number")
        )
        self.assertEqual(numbers, ["1", "2", "9", "9а", "10", "100"])


@tagged("post_install", "-at_install", "osmd")
class TestPersonalAccounts(OsmdCommon):
    def test_numbers_per_association(self):
        acc_a, acc_b = self.data_a["accounts"][0], self.data_b["accounts"][0]
        self.assertEqual(acc_a.number, "000001")
        self.assertEqual(acc_b.number, "000001", "each association numbers its own accounts")
        self.assertEqual(self.data_a["accounts"][1].number, "000002")
        self.assertEqual(
            self.env["osmd.account"]._search_by_number(" 000002 ", self.company_a), self.data_a["accounts"][1]
        )

    def test_number_digits_only_and_unique(self):
        premises = self.env["osmd.premise"].create(
            [{"building_id": self.data_a["building"].id, "number": str(n), "total_area": 40} for n in (3, 4, 5)]
        )
        with self.assertRaisesMsg(ValidationError, "digits"):
            self.env["osmd.account"].create(
                {"premise_id": premises[0].id, "company_id": self.company_a.id, "number": "12-AB"}
            )
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["osmd.account"].create(
                {"premise_id": premises[1].id, "company_id": self.company_a.id, "number": "000001"}
            )
        imported = self.env["osmd.account"].create(
            {"premise_id": premises[2].id, "company_id": self.company_a.id, "number": "4417"}
        )
        self.assertEqual(imported.number, "4417")

    def test_number_never_changes_nor_deleted(self):
        account = self.data_a["accounts"][0]
        with self.assertRaisesMsg(UserError, "cannot be changed"):
            account.number = "999"
        with self.assertRaisesMsg(UserError, "never deleted"):
            account.unlink()

    def test_one_active_account_per_premise(self):
        account = self.data_a["accounts"][0]
        with self.assertRaisesMsg(ValidationError, "already has an active personal account"):
            self.env["osmd.account"].create({"premise_id": account.premise_id.id, "company_id": self.company_a.id})
        account.action_close()
        self.assertEqual(account.state, "closed")
        new = self.env["osmd.account"].create({"premise_id": account.premise_id.id, "company_id": self.company_a.id})
        self.assertEqual(new.state, "active")
        self.assertNotEqual(new.number, account.number)

    def test_refused_create_draws_no_number(self):
        """A create the rules refuse never draws (nor locks, nor creates) another association's number."""
        accountant = self.users_a["accountant"]
        drawn = []
        next_by_id = type(self.env["ir.sequence"]).next_by_id

        def spy(sequence, *args, **kwargs):
            drawn.append(sequence.company_id)
            return next_by_id(sequence, *args, **kwargs)

        with patch.object(type(self.env["ir.sequence"]), "next_by_id", spy):
            for company, premise in (
                (self.company_b, self.data_b["premises"][2]),
                (self.company_a, self.data_b["premises"][2]),
                (self.company_b, self.data_a["premises"][2]),
            ):
                with self.subTest(company=company.name, premise=premise.display_name):
                    with self.assertRaises(AccessError):
                        self.env["osmd.account"].with_user(accountant).create(
                            {"premise_id": premise.id, "company_id": company.id}
                        )
            self.assertFalse(drawn, "no number drawn for a refused create")
            account = (
                self.env["osmd.account"].with_user(accountant).create({"premise_id": self.data_a["premises"][2].id})
            )
        self.assertEqual(drawn, [self.company_a])
        self.assertEqual(account.number, "000003")

    def test_missed_holder_cron_is_caught_up(self):
        """The holder of a dated sale becomes the account's holder at the next cron run, even when the
        runs of the sale day and of the days after it were missed."""
        account = self.data_a["accounts"][1]
        seller = account.holder_id
        buyer = self.env["res.partner"].create({"name": "Покупець", "company_id": self.company_a.id})
        with freeze_time("2026-03-01"):
            account.holder_line_ids.date_end = date(2026, 3, 14)
            self.env["osmd.account.holder"].create(
                {"account_id": account.id, "partner_id": buyer.id, "date_start": "2026-03-15", "reason": "sale"}
            )
            self.env.flush_all()
            self.assertEqual(account.holder_id, seller)
        with freeze_time("2026-03-17"):
            self.env["osmd.account"]._cron_refresh_holders()
            self.assertEqual(account.holder_id, buyer)

    def test_counted_residents_by_date(self):
        account = self.data_a["accounts"][0]
        self.env["osmd.resident"].create(
            {
                "account_id": account.id,
                "partner_id": self.data_a["owners"][2].id,
                "relation": "tenant",
                "date_start": "2025-01-01",
                "date_end": "2025-06-30",
            }
        )
        self.assertEqual(len(account._get_counted_residents(date(2025, 3, 1))), 3)
        self.assertEqual(len(account._get_counted_residents(date(2025, 7, 1))), 2)
        self.assertEqual(account.with_context(date=date(2025, 3, 1)).counted_resident_count, 3)
        # the batch version gives the same counts for every account at once (none counted: left out)
        accounts = self.data_a["accounts"]
        for day in (date(2025, 3, 1), date(2025, 7, 1), date(2000, 1, 1)):
            expected = {a.id: len(a._get_counted_residents(day)) for a in accounts if a._get_counted_residents(day)}
            self.assertEqual(accounts._get_counted_resident_counts(day), expected)
        self.assertEqual(accounts._get_counted_resident_counts(date(2025, 3, 1))[account.id], 3)
        with self.assertRaisesMsg(ValidationError, "overlapping"):
            self.env["osmd.resident"].create(
                {
                    "account_id": account.id,
                    "partner_id": self.data_a["owners"][2].id,
                    "relation": "tenant",
                    "date_start": "2025-06-01",
                }
            )

    def test_portal_partners_follow_holder_and_residents(self):
        account = self.data_a["accounts"][0]
        owners = self.data_a["owners"]
        self.assertEqual(account.portal_partner_ids, owners[0] | owners[1])
        account.resident_ids.filtered(lambda r: r.partner_id == owners[1]).has_portal_access = False
        self.assertEqual(account.portal_partner_ids, owners[0] | owners[1], "she co-owns the flat")
        self.company_a.osmd_portal_co_owners = False
        self.assertEqual(account.portal_partner_ids, owners[0])

    def test_phone_normalised_for_association_people(self):
        self.assertEqual(self.data_a["owners"][2].phone, "+380671234567")
        with self.assertRaisesMsg(ValidationError, "not a valid phone"):
            self.env["res.partner"].create({"name": "X", "company_id": self.company_a.id, "phone": "12345"})


@tagged("post_install", "-at_install", "osmd")
class TestOwnershipTransfer(OsmdCommon):
    def _transfer(self, premise, day, lines, **kw):
        form = Form(self.env["osmd.ownership.transfer"].with_context(default_premise_id=premise.id))
        form.date = day
        form.reason = kw.get("reason", "sale")
        form.document_number = "1234"
        for partner, num, den in lines:
            with form.line_ids.new() as line:
                line.partner_id = partner
                line.share_numerator = num
                line.share_denominator = den
        wizard = form.save()
        if "close" in kw:
            wizard.close_ownership_ids = kw["close"]
        return wizard.action_apply()

    def test_sale_keeps_account_and_history(self):
        premise, account = self.data_a["premises"][1], self.data_a["accounts"][1]
        seller = self.data_a["owners"][2]
        buyer = self.env["res.partner"].create({"name": "Шевченко Тарас", "company_id": self.company_a.id})
        number = account.number
        self._transfer(premise, date(2025, 3, 15), [(buyer, 1, 1)])
        old, new = premise.ownership_ids.sorted("date_start")
        self.assertRecordValues(
            old | new,
            [
                {
                    "partner_id": seller.id,
                    "date_start": date(2019, 5, 15),
                    "date_end": date(2025, 3, 14),
                    "document_kind": False,
                },
                {
                    "partner_id": buyer.id,
                    "date_start": date(2025, 3, 15),
                    "date_end": False,
                    "document_kind": "sale_contract",
                },
            ],
        )
        self.assertEqual(account.number, number)
        self.assertEqual(account._get_holder_at(date(2025, 3, 14)), seller)
        self.assertEqual(account._get_holder_at(date(2025, 3, 15)), buyer)
        # the batch version gives the same holders for every account at once (no holder: left out)
        accounts = self.data_a["accounts"]
        for day in (date(2025, 3, 14), date(2025, 3, 15), date(2000, 1, 1)):
            expected = {a.id: a._get_holder_at(day) for a in accounts if a._get_holder_at(day)}
            self.assertEqual(accounts._get_holders_at(day), expected)
        self.assertEqual(accounts._get_holders_at(date(2025, 3, 14))[account.id], seller)
        self.assertEqual(account.holder_id, buyer)
        self.assertEqual(len(account.holder_line_ids), 2)
        seller_residence = account.resident_ids.filtered(lambda r: r.partner_id == seller)
        self.assertEqual(seller_residence.date_end, date(2025, 3, 14))
        self.assertNotIn(seller, account.portal_partner_ids)
        self.assertIn(buyer, account.portal_partner_ids)

    def test_partial_sale_of_one_share(self):
        premise = self.data_a["premises"][0]
        ivan, olena = self.data_a["owners"][0], self.data_a["owners"][1]
        buyer = self.env["res.partner"].create({"name": "Бондар Ольга", "company_id": self.company_a.id})
        ivan_share = premise.ownership_ids.filtered(lambda o: o.partner_id == ivan)
        self._transfer(premise, date(2025, 5, 1), [(buyer, 1, 2)], close=ivan_share)
        current = premise.with_context(date=date(2025, 5, 1)).current_ownership_ids
        self.assertEqual(current.partner_id, olena | buyer)

    def test_inheritance_split_between_heirs(self):
        premise = self.data_a["premises"][2]
        heirs = self.env["res.partner"].create(
            [
                {"name": "Спадкоємець 1", "company_id": self.company_a.id},
                {"name": "Спадкоємець 2", "company_id": self.company_a.id},
            ]
        )
        self._transfer(premise, date(2025, 1, 10), [(heirs[0], 1, 2), (heirs[1], 1, 2)], reason="inheritance")
        current = premise.with_context(date=date(2025, 2, 1)).current_ownership_ids
        self.assertEqual(current.partner_id, heirs)
        self.assertEqual(set(current.mapped("document_kind")), {"inheritance"})

    def test_wrong_shares_leave_nothing_changed(self):
        premise = self.data_a["premises"][1]
        account = self.data_a["accounts"][1]
        before = premise.ownership_ids.read(["partner_id", "date_start", "date_end"])
        buyer = self.env["res.partner"].create({"name": "Покупець", "company_id": self.company_a.id})
        with self.assertRaisesMsg(ValidationError, "1/2 instead of 1"):
            self._transfer(premise, date(2025, 3, 15), [(buyer, 1, 2)])
        self.assertEqual(premise.ownership_ids.read(["partner_id", "date_start", "date_end"]), before)
        self.assertEqual(len(account.holder_line_ids), 1)

    def test_transfer_before_ownership_start_refused(self):
        premise = self.data_a["premises"][1]
        buyer = self.env["res.partner"].create({"name": "Покупець", "company_id": self.company_a.id})
        with self.assertRaisesMsg(UserError, "must be later"):
            self._transfer(premise, date(2019, 5, 15), [(buyer, 1, 1)])
