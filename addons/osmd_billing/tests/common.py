from datetime import date

from odoo.fields import Command

from odoo.addons.osmd_base.tests.common import OsmdCommon

PERIOD = date(2026, 3, 1)


class BillingCommon(OsmdCommon):
    """Association A with the Ukrainian chart, services of every basis, tariffs, building subscriptions
    and meter readings for March 2026 (31 days)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading("ua_psbo", cls.company_a, install_demo=False)
        data = cls.data_a
        cls.building = data["building"]
        cls.premises = data["premises"]
        cls.account1, cls.account2 = data["accounts"]
        cls.owners = data["owners"]
        cls.premises[1].heated_area = 60.0
        cls.utility_water = cls.env.ref("osmd_metering.utility_cold_water")
        cls.utility_power = cls.env.ref("osmd_metering.utility_electricity")
        cls.utility_hot = cls.env.ref("osmd_metering.utility_hot_water")
        Product = cls.env["product.product"]

        def service(name, basis, utility=None, **extra):
            return Product.create(
                {
                    "name": name,
                    "osmd_basis": basis,
                    "osmd_utility_id": utility.id if utility else False,
                    "company_id": cls.company_a.id,
                    **extra,
                }
            )

        cls.svc_maint = service("Утримання будинку", "area_total")
        cls.svc_heat = service("Опалення", "area_heated")
        cls.svc_garbage = service("Вивіз ТПВ", "persons")
        cls.svc_intercom = service("Домофон", "fixed", osmd_premise_kinds="apartment")
        cls.svc_water = service("Холодна вода", "consumption", cls.utility_water)
        cls.svc_water_norm = service("Холодна вода (норма)", "norm", cls.utility_water)
        cls.svc_power = service("Електроенергія", "consumption", cls.utility_power)
        cls.svc_hot_share = service("Гаряча вода МЗК", "house_share", cls.utility_hot)
        cls.services = (
            cls.svc_maint
            | cls.svc_heat
            | cls.svc_garbage
            | cls.svc_intercom
            | cls.svc_water
            | cls.svc_water_norm
            | cls.svc_power
            | cls.svc_hot_share
        )
        prices = {
            cls.svc_maint: 8.50,
            cls.svc_heat: 30.00,
            cls.svc_garbage: 45.00,
            cls.svc_intercom: 20.00,
            cls.svc_water: 30.17,
            cls.svc_water_norm: 30.17,
            cls.svc_power: 4.32,
            cls.svc_hot_share: 100.00,
        }
        cls.tariffs = cls.env["osmd.tariff"].create(
            [
                {
                    "company_id": cls.company_a.id,
                    "product_id": product.id,
                    "price": price,
                    "price_zone2": 2.16 if product == cls.svc_power else 0.0,
                    "date_start": "2025-01-01",
                }
                for product, price in prices.items()
            ]
        )
        cls.env["osmd.subscription"].create(
            [
                {
                    "company_id": cls.company_a.id,
                    "building_id": cls.building.id,
                    "product_id": product.id,
                    "date_start": "2025-01-01",
                }
                for product in cls.services
            ]
        )
        Meter = cls.env["osmd.meter"]
        cls.meter_water = Meter.create(
            {
                "serial": "123456",
                "company_id": cls.company_a.id,
                "utility_id": cls.utility_water.id,
                "premise_id": cls.premises[0].id,
                "install_date": "2025-01-01",
                "initial_value1": 132,
            }
        )
        cls.meter_power = Meter.create(
            {
                "serial": "E-77",
                "company_id": cls.company_a.id,
                "utility_id": cls.utility_power.id,
                "premise_id": cls.premises[1].id,
                "install_date": "2025-01-01",
                "zone_count": 2,
                "initial_value1": 1000,
                "initial_value2": 500,
            }
        )
        cls.env["osmd.meter.reading"].create(
            [
                {"meter_id": cls.meter_water.id, "date": "2026-03-25", "value1": 145, "state": "confirmed"},
                {
                    "meter_id": cls.meter_power.id,
                    "date": "2026-03-25",
                    "value1": 1100,
                    "value2": 550,
                    "state": "confirmed",
                },
            ]
        )
        # house losses of hot water already shared by metering: 0.5 m³ for apartment 1
        house = cls.env["osmd.house.consumption"].create(
            {"building_id": cls.building.id, "utility_id": cls.utility_hot.id, "period": PERIOD}
        )
        cls.env["osmd.house.consumption.line"].create(
            {
                "consumption_id": house.id,
                "premise_id": cls.premises[0].id,
                "account_id": cls.account1.id,
                "quantity": 0.5,
                "explanation": "0.5 m³ of 1 m³ by area",
            }
        )
        house.state = "done"
        cls.accountant = cls.users_a["accountant"]

    @classmethod
    def _create_run(cls, **vals):
        return cls.env["osmd.billing.run"].create({"company_id": cls.company_a.id, "period": PERIOD, **vals})

    def _lines(self, run, account, product, kind="charge"):
        return run.line_ids.filtered(
            lambda line: line.account_id == account and line.product_id == product and line.kind == kind
        )

    @staticmethod
    def _set(records):
        return [Command.set(records.ids)]
