from unittest.mock import patch

import odoo
from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import config, mute_logger


@tagged("post_install", "-at_install", "osmd")
class TestDatabaseManager(HttpCase):
    """The suite runs with odoo.conf: no database manager and no master password in any mode.

    ``admin_passwd`` is empty there (Odoo then refuses every master password) instead of Odoo's
    default ``admin``, and ``list_db`` is off. Both are checked through the routes, with the master
    password an attacker would try first.
    """

    def setUp(self):
        super().setUp()
        self.databases = set(odoo.service.db.list_dbs(True))
        self.admin_passwd = config["admin_passwd"]

    def tearDown(self):
        self.assertEqual(set(odoo.service.db.list_dbs(True)), self.databases, "no database created or dropped")
        self.assertEqual(config["admin_passwd"], self.admin_passwd, "the master password is unchanged")
        super().tearDown()

    def post(self, path, **data):
        with mute_logger("odoo.addons.web.controllers.database", "odoo.service.db", "odoo.http"):
            return self.url_open(path, data=data, allow_redirects=False)

    def test_configuration(self):
        self.assertFalse(config["list_db"])
        self.assertEqual(config["admin_passwd"], "", "odoo.conf sets an empty master password")
        for password in ("admin", "", "x"):
            self.assertFalse(config.verify_admin_password(password))

    def test_manager_disabled_and_master_password_refused(self):
        page = self.url_open("/web/database/manager")
        self.assertIn("The database manager has been disabled by the administrator", page.text)
        name = f"{get_db_name()}-osmd-attack"
        for master_pwd in ("admin", ""):
            res = self.post(
                "/web/database/create",
                master_pwd=master_pwd,
                name=name,
                login="admin",
                password="admin",
                lang="en_US",
                phone="",
            )
            self.assertEqual(res.status_code, 200, "no redirect to the new database")
            self.assertIn("Database creation error", res.text)
            res = self.post("/web/database/change_password", master_pwd=master_pwd, master_pwd_new="attacker")
            self.assertIn("Master password update error", res.text)
            res = self.post("/web/database/duplicate", master_pwd=master_pwd, name=get_db_name(), new_name=name)
            self.assertIn("Database duplication error", res.text)
            res = self.post("/web/database/backup", master_pwd=master_pwd, name=get_db_name())
            self.assertNotIn("application/", res.headers.get("Content-Type", ""), "no backup file")

    def test_master_password_refused_with_database_listing_on(self):
        """Another configuration that lists databases: the empty master password still refuses."""
        with patch.dict(config.options, {"list_db": True}):
            res = self.post("/web/database/change_password", master_pwd="admin", master_pwd_new="attacker")
            self.assertIn("Master password update error", res.text)
            res = self.post(
                "/web/database/create",
                master_pwd="admin",
                name=f"{get_db_name()}-osmd-attack",
                login="admin",
                password="admin",
                lang="en_US",
                phone="",
            )
            self.assertIn("Database creation error", res.text)
