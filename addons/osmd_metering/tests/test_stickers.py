import base64
import io
import re
from urllib.parse import parse_qs, urlsplit

import zxingcpp  # QR decoder from PyPI (requirements-dev.txt): the test never skips
from lxml import html as lxml_html
from PIL import Image

from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.osmd_base.tests.common import OsmdCommon, OsmdDataMixin

from ..tools.qr import qr_png

REPORT = "osmd_metering.action_report_osmd_meter_sticker"
DATA_URI = re.compile(r"^data:image/png;base64,(.+)$")


def create_meters(env, data, count, prefix):
    premises = data["premises"]
    return env["osmd.meter"].create(
        [
            {
                "serial": f"{prefix}-{n:03d}",
                "utility_id": env.ref("osmd_metering.utility_cold_water").id,
                "company_id": data["building"].company_id.id,
                "premise_id": premises[n % len(premises)].id,
                "building_id": data["building"].id,
                "install_date": "2024-01-01",
            }
            for n in range(1, count + 1)
        ]
    )


@tagged("post_install", "-at_install", "osmd")
class TestMeterStickers(OsmdCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.meters = create_meters(cls.env, cls.data_a, 23, "QR")  # 21 per sheet: two sheets
        cls.house_meter = cls.env["osmd.meter"].create(
            {
                "serial": "QR-HOUSE",
                "utility_id": cls.env.ref("osmd_metering.utility_hot_water").id,
                "company_id": cls.company_a.id,
                "building_id": cls.data_a["building"].id,
                "entrance": 2,
                "install_date": "2024-01-01",
            }
        )
        cls.engineer = cls.users_a["engineer"]

    def _render(self, meters, user=None):
        Report = self.env["ir.actions.report"].with_user(user or self.engineer)
        content, report_type = Report._render_qweb_pdf(REPORT, meters.ids)
        self.assertEqual(report_type, "html", "tests render the PDF report as HTML")
        return lxml_html.fromstring(content)

    def _stickers(self, doc):
        """[(serial, decoded PNG bytes of the QR, text of the sticker)] in print order."""
        result = []
        for cell in doc.xpath("//td[contains(concat(' ', @class, ' '), ' o_osmd_sticker ')][.//img]"):
            serial = cell.xpath(".//div[contains(@class, 'o_osmd_sticker_serial')]/span")[0].text_content()
            src = cell.xpath(".//img")[0].get("src")
            match = DATA_URI.match(src)
            self.assertTrue(match, "the QR code is embedded as a PNG data URI (no request needed)")
            result.append((serial, base64.b64decode(match.group(1)), cell.text_content()))
        return result

    def test_report_is_bound_to_meters(self):
        report = self.env.ref(REPORT)
        self.assertEqual(report.binding_model_id.model, "osmd.meter")
        self.assertEqual(report.report_type, "qweb-pdf")

    def test_sticker_sheet_content(self):
        meters = self.meters | self.house_meter
        doc = self._render(meters)
        pages = doc.xpath("//div[contains(@class, 'o_osmd_sticker_page')]")
        self.assertEqual(len(pages), 2, "24 stickers: a full 3 × 7 sheet and a second one")
        self.assertEqual(len(pages[0].xpath(".//tr[td[contains(concat(' ', @class, ' '), ' o_osmd_sticker ')]]")), 7)
        self.assertEqual(len(pages[0].xpath(".//img")), 21)
        stickers = self._stickers(doc)
        self.assertEqual([serial for serial, _png, _text in stickers], meters.mapped("serial"))
        for meter, (_serial, png, text) in zip(meters, stickers, strict=True):
            self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
            url = meter._get_reading_url()
            self.assertEqual(url, f"{meter.get_base_url()}/osmd/meter/{meter.id}/reading")
            self.assertEqual(png, qr_png(url), "the image is the QR code of the meter's reading URL")
            self.assertIn(self.company_a.name, text)
            self.assertIn("Cold water" if meter != self.house_meter else "Hot water", text)
            self.assertIn(meter.premise_id.display_name if meter.premise_id else "entrance 2", text)

    def test_qr_decodes_to_reading_url(self):
        meters = self.meters[:4] | self.house_meter
        stickers = self._stickers(self._render(meters))
        for meter, (_serial, png, _text) in zip(meters, stickers, strict=True):
            # downscaled as a phone camera would see the printed 30 mm code
            image = Image.open(io.BytesIO(png)).convert("L").resize((150, 150))
            decoded = [result.text for result in zxingcpp.read_barcodes(image)]
            self.assertEqual(decoded, [meter._get_reading_url()])

    def test_other_association_cannot_print(self):
        with self.assertRaises(AccessError):
            self._render(self.meters[:1], user=self.users_b["engineer"])

    def test_landing_action_prefills_the_meter(self):
        """The web client path of the QR route opens a new reading of the meter."""
        meter = self.meters[0]
        path = meter._get_reading_backend_url()
        actions = [part.removeprefix("action-") for part in path.split("/") if part.startswith("action-")]
        self.assertEqual(actions, ["osmd_metering.osmd_meter_action", "osmd_metering.osmd_meter_reading_qr_action"])
        self.assertTrue(path.endswith(f"/{meter.id}/action-osmd_metering.osmd_meter_reading_qr_action/new"))
        action = self.env.ref(actions[1])
        context = safe_eval(action.context, {"active_id": meter.id})
        self.assertEqual(safe_eval(action.domain, {"active_id": meter.id}), [("meter_id", "=", meter.id)])
        form = Form(self.env["osmd.meter.reading"].with_user(self.engineer).with_context(**context))
        self.assertEqual(form.meter_id, meter)
        self.assertEqual(form.source, "engineer")
        form.value1 = 10
        reading = form.save()
        self.assertEqual(reading.meter_id, meter)


@tagged("post_install", "-at_install", "osmd")
class TestMeterQrRoute(OsmdDataMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_osmd_data()
        cls.meter_a = create_meters(cls.env, cls.data_a, 1, "QA")
        cls.meter_b = create_meters(cls.env, cls.data_b, 1, "QB")

    def _get(self, meter_id):
        return self.url_open(f"/osmd/meter/{meter_id}/reading", allow_redirects=False)

    def test_engineer_is_sent_to_the_new_reading_form(self):
        self.authenticate("engineer_a", "engineer_a")
        response = self._get(self.meter_a.id)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(urlsplit(response.headers["Location"]).path, self.meter_a._get_reading_backend_url())

    def test_other_association_meter_is_not_found(self):
        self.authenticate("engineer_a", "engineer_a")
        self.assertEqual(self._get(self.meter_b.id).status_code, 404)
        self.assertEqual(self._get(self.meter_b.id + 100000).status_code, 404)
        self.authenticate("engineer_b", "engineer_b")
        self.assertEqual(self._get(self.meter_a.id).status_code, 404)
        self.assertEqual(self._get(self.meter_b.id).status_code, 303)

    def test_anonymous_is_sent_to_login(self):
        response = self._get(self.meter_a.id)
        self.assertEqual(response.status_code, 303)
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        self.assertTrue(parse_qs(location.query)["redirect"][0].startswith(f"/osmd/meter/{self.meter_a.id}/reading"))
